/**
 * SMS length rules (3GPP TS 23.038 / 23.040), pure.
 * GSM-7: 160 septets in one message, 153 per part when concatenated; the extension table
 * characters (`^{}\[~]|€` and form feed) take two septets. Anything outside the GSM-7 alphabet
 * (Vietnamese letters with diacritics, `…`, emoji) makes the whole message UCS-2: 70 UTF-16 units
 * in one message, 67 per part.
 */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXT = '\f^{}\\[~]|€';
const BASIC = new Set(GSM7_BASIC);
const EXT = new Set(GSM7_EXT);

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!BASIC.has(ch) && !EXT.has(ch)) return false;
  return true;
}

export function encodingOf(text: string): SmsEncoding {
  return isGsm7(text) ? 'GSM-7' : 'UCS-2';
}

/** Length in the encoding's units: septets for GSM-7, UTF-16 code units for UCS-2. */
export function smsUnits(text: string, enc: SmsEncoding = encodingOf(text)): number {
  if (enc === 'UCS-2') return text.length;
  let n = 0;
  for (const ch of text) n += EXT.has(ch) ? 2 : 1;
  return n;
}

export const LIMITS: Record<SmsEncoding, { single: number; part: number }> = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
};

/** How many parts the text takes. */
export function smsParts(text: string, enc: SmsEncoding = encodingOf(text)): number {
  const units = smsUnits(text, enc);
  const { single, part } = LIMITS[enc];
  if (units <= single) return 1;
  return Math.ceil(units / part);
}

/** Largest number of units that fits in `parts` parts. */
export function capacity(enc: SmsEncoding, parts: number): number {
  const { single, part } = LIMITS[enc];
  return parts <= 1 ? single : part * parts;
}

/**
 * Split into parts a gateway can send one by one (each ≤ the per-part limit), preferring to cut
 * at a space. A character is never cut in half (surrogate pairs and GSM-7 escapes stay whole).
 */
export function splitSms(text: string, enc: SmsEncoding = encodingOf(text)): string[] {
  if (smsUnits(text, enc) <= LIMITS[enc].single) return [text];
  const max = LIMITS[enc].part;
  const chars = [...text];
  const parts: string[] = [];
  let i = 0;
  while (i < chars.length) {
    let units = 0;
    let j = i;
    let lastSpace = -1;
    while (j < chars.length) {
      const ch = chars[j]!;
      const u = enc === 'UCS-2' ? ch.length : EXT.has(ch) ? 2 : 1;
      if (units + u > max) break;
      units += u;
      if (ch === ' ') lastSpace = j;
      j++;
    }
    if (j < chars.length && lastSpace > i) j = lastSpace + 1; // cut after the space
    parts.push(chars.slice(i, j).join(''));
    i = j;
  }
  return parts;
}

/** Vietnamese without diacritics (đ → d), for GSM-7-only gateways. Other letters are kept. */
export function stripDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/…/g, '...')
    .replace(/[–—]/g, '-')
    .replace(/→/g, '->')
    .normalize('NFC');
}

/**
 * Place words as Vietnamese write them short (on signs, in SMS): Nhà văn hóa → NVH, Điểm thông tin
 * công cộng → ĐTCC, Ủy ban nhân dân → UBND, Bưu điện văn hóa xã → BĐVHX, Trường Tiểu học → Trường TH…
 * Both spellings of the tone (hóa/hoá, Ủy/Uỷ) and any letter case are matched.
 */
const ABBREVIATIONS: Array<[RegExp, string]> = [
  [/điểm bưu điện[\s-]+văn h(?:óa|oá|oa) xã/giu, 'BĐVHX'],
  [/bưu điện[\s-]+văn h(?:óa|oá|oa) xã/giu, 'BĐVHX'],
  [/điểm thông tin công cộng/giu, 'ĐTCC'],
  [/nhà văn h(?:óa|oá|oa)/giu, 'NVH'],
  [/[uủ][yỷ] ban nhân dân/giu, 'UBND'],
  [/trung học cơ sở/giu, 'THCS'],
  [/trung học phổ thông/giu, 'THPT'],
  [/tiểu học/giu, 'TH'],
  [/mầm non/giu, 'MN'],
  [/trạm y tế/giu, 'TYT'],
  [/trung tâm/giu, 'TT'],
  [/hợp tác xã/giu, 'HTX'],
];

export function abbreviatePlace(text: string): string {
  let out = text.normalize('NFC');
  for (const [re, short] of ABBREVIATIONS) out = out.replace(re, short);
  return out;
}
