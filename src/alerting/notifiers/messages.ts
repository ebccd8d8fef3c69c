/**
 * Message builders: pure functions from a Notice to the text each channel sends, per language.
 * Tested on their TEXT (messages.test.ts). No IO here.
 *
 * Every message carries: the site (or the commune for a commune-level incident), the commune,
 * the state, since when (local time, Asia/Ho_Chi_Minh by default), the cause when known, the
 * detail, the runbook link and the acknowledge link. A resolved message says how long it lasted
 * and the cause. SMS is the one exception that may drop fields, in a documented order, to fit.
 */
import type { CommuneKind, Lang } from '../../core/types.js';
import type { AlertKind, Cause, Notice, Recipient } from '../notice.js';
import type { SiteStateName } from '../../store/schema.js';
import { CAUSE_LABEL, causeName, eventName, formatDuration, KIND_NAMES, kindName, stateName } from '../../core/glossary.js';
import { parseDetail, renderConditions } from '../condition.js';
import { abbreviatePlace, capacity, encodingOf, smsParts, smsUnits, splitSms, stripDiacritics, type SmsEncoding } from './sms-encoding.js';

export const DEFAULT_TZ = 'Asia/Ho_Chi_Minh';

export interface MessageOptions {
  /** IANA time zone for "since"/"until" (default Asia/Ho_Chi_Minh). */
  tz?: string;
}

/** The recipient's language, else the notice's. */
export function langFor(notice: Notice, recipient?: Pick<Recipient, 'lang'>): Lang {
  return recipient?.lang ?? notice.lang;
}

// ------------------------------------------------------------------ vocabulary (words from the glossary)

/** Alert kind titles per language: the glossary's (kept under this name for existing callers). */
export const KIND_TITLE: Record<Lang, Record<AlertKind, string>> = {
  vi: Object.fromEntries(Object.entries(KIND_NAMES).map(([k, w]) => [k, w.vi])) as Record<AlertKind, string>,
  en: Object.fromEntries(Object.entries(KIND_NAMES).map(([k, w]) => [k, w.en])) as Record<AlertKind, string>,
};

/** The long form of a cause, for the full messages: the glossary's word and how it was inferred. */
const CAUSE_WHY: Record<Lang, Record<Cause, string>> = {
  vi: { power: ' (thiết bị đã khởi động lại)', link: ' (thiết bị vẫn chạy, không khởi động lại)', unknown: '' },
  en: { power: ' (the router rebooted)', link: ' (the router stayed up)', unknown: '' },
};

const LEVEL: Record<Lang, Record<Notice['level'], string>> = {
  vi: { commune: 'cấp xã', group: 'cấp cụm xã', province: 'cấp tỉnh' },
  en: { commune: 'commune level', group: 'commune-group level', province: 'province level' },
};

const LABEL = {
  vi: {
    area: 'Địa bàn', state: 'Trạng thái', since: 'Từ lúc', until: 'Đến lúc', lasted: 'Kéo dài', cause: CAUSE_LABEL.vi,
    detail: 'Chi tiết', affected: 'Ảnh hưởng thêm', runbook: 'Hướng dẫn xử lý', ack: 'Xác nhận đã nhận',
    together: 'Cùng lúc trong xã', update: 'Cập nhật, gộp các cảnh báo đã gửi', folded: 'Gộp các điểm',
    escalated: 'Chưa ai xác nhận: chuyển lên', more: 'và {n} điểm khác', sites: 'điểm',
    footer: 'Tin nhắn tự động từ hệ thống giám sát Wi-Fi công cộng pointwatch.',
  },
  en: {
    area: 'Area', state: 'State', since: 'Since', until: 'Until', lasted: 'Lasted', cause: CAUSE_LABEL.en,
    detail: 'Detail', affected: 'Also affected', runbook: 'Runbook', ack: 'Acknowledge',
    together: 'Also down in the commune', update: 'Update, folds the alerts already sent', folded: 'Sites folded in',
    escalated: 'Not acknowledged: escalated to', more: 'and {n} more', sites: 'sites',
    footer: 'Automatic message from pointwatch, the public Wi-Fi monitoring system.',
  },
} as const;

// ------------------------------------------------------------------ formatting

const ADMIN_PREFIX = /^(xã|phường|thị trấn|đặc khu|tỉnh|thành phố|tp\.?)\s/i;

/** What a commune is called before (vi) or after (en) its name; unknown kind: no word (never a wrong one). */
const COMMUNE_WORD: Record<Lang, Record<CommuneKind, string>> = {
  vi: { xa: 'xã', phuong: 'phường', dac_khu: 'đặc khu' },
  en: { xa: 'commune', phuong: 'ward', dac_khu: 'special zone' },
};

function communeName(name: string, kind: CommuneKind | undefined, lang: Lang): string {
  if (ADMIN_PREFIX.test(name)) return name;
  if (lang === 'vi') return kind ? `${COMMUNE_WORD.vi[kind]} ${name}` : name;
  return `${name} ${COMMUNE_WORD.en[kind ?? 'xa']}`;
}

function provinceName(name: string, lang: Lang): string {
  if (ADMIN_PREFIX.test(name)) return name;
  return lang === 'vi' ? `tỉnh ${name}` : `${name} province`;
}

/**
 * `xã Bác Ái, tỉnh Khánh Hòa` / `Bác Ái commune, Khánh Hòa province`: two tiers since 2025 (no
 * district). The optional group is internal to a province and left out of messages.
 */
export function formatArea(area: Notice['area'], lang: Lang): string {
  return [communeName(area.commune, area.commune_kind, lang), provinceName(area.province, lang)].join(', ');
}

/** The thing the notice is about: the site name, or the commune for a commune-level incident. */
export function placeName(notice: Notice, lang: Lang): string {
  if (notice.site) return notice.site.name;
  const c = communeName(notice.area.commune, notice.area.commune_kind, lang);
  return lang === 'vi' ? c.charAt(0).toUpperCase() + c.slice(1) : c;
}

function parts(ms: number, tz: string): Record<string, string> {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'shortOffset',
  });
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(ms)) out[p.type] = p.value;
  return out;
}

/** vi `07:42 ngày 22/11/2026`, en `2026-11-22 07:42 GMT+7`. */
export function formatLocalTime(ms: number, lang: Lang, tz: string = DEFAULT_TZ): string {
  const p = parts(ms, tz);
  if (lang === 'vi') return `${p.hour}:${p.minute} ngày ${p.day}/${p.month}/${p.year}`;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${p.timeZoneName}`;
}

/** Short form for SMS: `07:42 22/11`. */
export function formatShortTime(ms: number, tz: string = DEFAULT_TZ): string {
  const p = parts(ms, tz);
  return `${p.hour}:${p.minute} ${p.day}/${p.month}`;
}

/** Durations come from the glossary (`4 phút`, `2 giờ 15 phút`; `4 min`, `2 h 15 min`). */
export { formatDuration };

export function stateLabel(state: SiteStateName, lang: Lang): string {
  return stateName(lang, state);
}

export function causeText(cause: Cause, lang: Lang): string {
  return `${causeName(lang, cause)}${CAUSE_WHY[lang][cause]}`;
}

/** The notice's condition in the reader's language, from its structured fields. */
export function detailText(notice: Pick<Notice, 'detail' | 'condition'>, lang: Lang, tz: string = DEFAULT_TZ): string {
  return renderConditions(notice.condition ?? parseDetail(notice.detail), lang, tz);
}

// ------------------------------------------------------------------ the shared facts

interface Facts {
  tag: string;
  title: string;
  place: string;
  commune: string;
  area: string;
  state: string;
  since: string;
  until?: string;
  lasted?: string;
  cause?: string;
  detail: string;
  affected?: string;
  folded?: string;
  escalated?: string;
  runbook: string;
  ack: string;
}

function facts(notice: Notice, lang: Lang, tz: string): Facts {
  const L = LABEL[lang];
  const resolved = notice.event === 'resolved';
  const end = notice.resolved_at;
  const names = notice.affected.slice(0, 10).map((a) => a.name);
  const extra = notice.affected.length - names.length;
  return {
    tag: eventName(lang, notice.event),
    title: kindName(lang, notice.kind),
    place: placeName(notice, lang),
    commune: communeName(notice.area.commune, notice.area.commune_kind, lang),
    area: formatArea(notice.area, lang),
    state: stateLabel(notice.state, lang),
    since: formatLocalTime(notice.since, lang, tz),
    until: resolved && end !== undefined ? formatLocalTime(end, lang, tz) : undefined,
    lasted: resolved && end !== undefined ? formatDuration(end - notice.since, lang) : undefined,
    // A resolved notice always states the cause (unknown when nobody could tell).
    cause: notice.cause ? causeText(notice.cause, lang) : resolved ? causeText('unknown', lang) : undefined,
    detail: detailText(notice, lang, tz),
    folded: foldedText(notice, lang, tz),
    affected: notice.affected.length
      ? `${notice.affected.length} ${L.sites}: ${names.join(', ')}${extra > 0 ? ` ${L.more.replace('{n}', String(extra))}` : ''}`
      : undefined,
    escalated: notice.event === 'escalated' ? `${L.escalated} ${LEVEL[lang][notice.level]}` : undefined,
    runbook: notice.runbook_url,
    ack: notice.ack_url,
  };
}

/** The incidents a notice speaks for: its commune group, or what a commune incident folds (an update). */
function foldedText(notice: Notice, lang: Lang, tz: string): string | undefined {
  const list = notice.folded ?? [];
  if (!list.length) return undefined;
  const at = (ms: number) => formatShortTime(ms, tz).split(' ')[0];
  const told = list.filter((f) => f.notified_before);
  const names = (xs: typeof list) => xs.map((f) => `${f.name} (${lang === 'vi' ? 'từ' : 'since'} ${at(f.since)})`).join(', ');
  const L = LABEL[lang];
  if (notice.site) return `${L.together}: ${names(list)}`;
  const fresh = list.filter((f) => !f.notified_before);
  return [told.length ? `${L.update}: ${names(told)}` : '', fresh.length ? `${L.folded}: ${names(fresh)}` : ''].filter(Boolean).join('. ');
}

function rows(f: Facts, lang: Lang): Array<[string, string]> {
  const L = LABEL[lang];
  const r: Array<[string, string]> = [[L.area, f.area], [L.state, f.state], [L.since, f.since]];
  if (f.until) r.push([L.until, f.until]);
  if (f.lasted) r.push([L.lasted, f.lasted]);
  if (f.cause) r.push([L.cause, f.cause]);
  r.push([L.detail, f.detail]);
  if (f.affected) r.push([L.affected, f.affected]);
  if (f.folded) {
    const [k, ...v] = f.folded.split(': ');
    r.push([k!, v.join(': ')]);
  }
  return r;
}

// ------------------------------------------------------------------ plain text + email

export function buildSubject(notice: Notice, lang: Lang, opts: MessageOptions = {}): string {
  const f = facts(notice, lang, opts.tz ?? DEFAULT_TZ);
  const where = notice.site ? `${f.place}, ${f.commune}` : f.place;
  const tail = f.lasted ? ` (${f.lasted})` : '';
  return `[${f.tag}] ${f.title}: ${where}${tail}`;
}

/** The full plain-text message (email text part, webhook `text`, the base of the others). */
export function buildText(notice: Notice, lang: Lang, opts: MessageOptions = {}): string {
  const f = facts(notice, lang, opts.tz ?? DEFAULT_TZ);
  const L = LABEL[lang];
  const lines = [`[${f.tag}] ${f.title}: ${f.place}`];
  if (f.escalated) lines.push(f.escalated);
  for (const [k, v] of rows(f, lang)) lines.push(`${k}: ${v}`);
  lines.push(`${L.runbook}: ${f.runbook}`, `${L.ack}: ${f.ack}`);
  return lines.join('\n');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

export function buildEmail(notice: Notice, lang: Lang, opts: MessageOptions = {}): EmailMessage {
  const f = facts(notice, lang, opts.tz ?? DEFAULT_TZ);
  const L = LABEL[lang];
  const e = escapeHtml;
  const color = notice.event === 'resolved' ? '#1b7f3b' : '#b3261e';
  const tableRows = rows(f, lang)
    .map(([k, v]) => `<tr><th align="left" style="padding:2px 12px 2px 0">${e(k)}</th><td>${e(v)}</td></tr>`)
    .join('\n');
  const html = [
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${e(buildSubject(notice, lang, opts))}</title></head><body>`,
    `<h2 style="color:${color}">[${e(f.tag)}] ${e(f.title)}: ${e(f.place)}</h2>`,
    f.escalated ? `<p><strong>${e(f.escalated)}</strong></p>` : '',
    `<table>\n${tableRows}\n</table>`,
    `<p><a href="${e(f.runbook)}">${e(L.runbook)}</a> · <a href="${e(f.ack)}">${e(L.ack)}</a></p>`,
    `<p style="color:#666;font-size:small">${e(L.footer)}</p>`,
    '</body></html>',
  ].filter(Boolean).join('\n');
  const text = `${buildText(notice, lang, opts)}\n\n-- \n${L.footer}`;
  return { subject: buildSubject(notice, lang, opts), text, html };
}

// ------------------------------------------------------------------ Telegram (parse_mode HTML)

/** Telegram's hard limit on a message's text. */
export const TELEGRAM_MAX = 4096;

/**
 * Telegram HTML: only <b>, <i>, <a href>, <code>… are allowed, and every `<`, `>`, `&` in user
 * text must be escaped, or Telegram rejects the whole message with 400 "can't parse entities".
 */
export function buildTelegramHtml(notice: Notice, lang: Lang, opts: MessageOptions = {}): string {
  const f = facts(notice, lang, opts.tz ?? DEFAULT_TZ);
  const L = LABEL[lang];
  const e = escapeHtml;
  const head = `<b>[${e(f.tag)}] ${e(f.title)}</b>\n<b>${e(f.place)}</b>`;
  const body = [
    ...(f.escalated ? [`<i>${e(f.escalated)}</i>`] : []),
    ...rows(f, lang).map(([k, v]) => `${e(k)}: ${k === LABEL[lang].detail ? `<code>${e(v)}</code>` : e(v)}`),
  ];
  const links = `<a href="${e(f.runbook)}">${e(L.runbook)}</a> | <a href="${e(f.ack)}">${e(L.ack)}</a>`;
  let text = [head, ...body, links].join('\n');
  if (text.length > TELEGRAM_MAX) {
    // Only the affected list can be long; it is plain text, so cutting it cannot break a tag.
    const withoutAffected = [head, ...body.filter((l) => !l.startsWith(e(L.affected))), links].join('\n');
    text = withoutAffected;
  }
  return text;
}

// ------------------------------------------------------------------ SMS

export interface SmsMessage {
  /** The text to send (the whole text; `parts` is how a gateway that does not concatenate gets it). */
  text: string;
  encoding: SmsEncoding;
  /** Units in that encoding (septets or UTF-16 units). */
  units: number;
  /** Number of SMS parts the text takes. */
  part_count: number;
  /** The text cut into parts that fit one SMS each. */
  parts: string[];
  /** Which optional fields were dropped to fit, in order (`detail`, `runbook`, `folded`, `commune`, `cause`, `place`, `text`). */
  dropped: string[];
}

export interface SmsOptions extends MessageOptions {
  /** Longest the message may be, in SMS parts (default 3). */
  maxParts?: number;
  /** 'auto': UCS-2 when the text needs it (Vietnamese with diacritics); 'gsm7': strip diacritics first. */
  encoding?: 'auto' | 'gsm7';
}

/**
 * The short form: the event, the alert kind (always: "Nghi mất điện", not only a state), where,
 * since when, the cause as inferred, the detail in the reader's language, the links. Shortening
 * order when it does not fit in `maxParts`: drop the detail, then the runbook link (the
 * acknowledge page links it), then the commune, then the cause, then cut the site name at a word;
 * as a last resort the words are cut and the acknowledge link is kept whole at the end.
 * `encoding: 'gsm7'` (brandname SMS, with `maxParts: 1`: one 160-character part) abbreviates place
 * words (Nhà văn hóa → NVH) and strips diacritics (đ → d).
 */
export function buildSms(notice: Notice, lang: Lang, opts: SmsOptions = {}): SmsMessage {
  const tz = opts.tz ?? DEFAULT_TZ;
  const maxParts = Math.max(1, opts.maxParts ?? 3);
  const resolved = notice.event === 'resolved';
  const vi = lang === 'vi';
  // brandname SMS goes out without diacritics: abbreviate place words first (Nhà văn hóa → NVH), then strip
  const conv = (s: string) => (opts.encoding === 'gsm7' ? stripDiacritics(abbreviatePlace(s)) : s);
  const tag = eventName(lang, notice.event);
  const kind = kindName(lang, notice.kind);
  const commune = communeName(notice.area.commune, notice.area.commune_kind, lang);
  const since = formatShortTime(notice.since, tz);
  const cause = notice.cause ?? (resolved ? 'unknown' : undefined);
  const detail = detailText(notice, lang, tz);
  const folded = notice.folded ?? [];
  const told = folded.filter((f) => f.notified_before).length;

  interface Parts { place: string; commune: boolean; detail: boolean; folded: boolean; cause: boolean; runbook: boolean; ack: boolean }
  const compose = (o: Parts): string => {
    const where = notice.site && o.commune ? `${o.place} (${commune})` : o.place;
    const at = where ? (vi ? ` tại ${where}` : ` at ${where}`) : '';
    let s: string;
    if (resolved && notice.resolved_at !== undefined) {
      const lasted = formatDuration(notice.resolved_at - notice.since, lang);
      const until = formatShortTime(notice.resolved_at, tz);
      const back = stateName(lang, notice.state).toLowerCase();
      s = vi
        ? `${tag}: ${kind}${at}: ${back} lại lúc ${until}, sau ${lasted}.`
        : `${tag}: ${kind}${at}: ${back} again at ${until} after ${lasted}.`;
    } else {
      s = vi ? `${tag}: ${kind}${at} từ ${since}.` : `${tag}: ${kind}${at} since ${since}.`;
    }
    if (o.cause && cause) s += ` ${CAUSE_LABEL[lang]}: ${causeName(lang, cause)}.`;
    if (o.detail && detail) s += ` ${detail}.`;
    if (o.folded && folded.length) {
      if (!notice.site && told) s += vi ? ` Cập nhật: gộp ${told} cảnh báo đã gửi.` : ` Update: folds ${told} alerts already sent.`;
      else if (notice.site) s += vi ? ` Cùng lúc thêm ${folded.length} điểm trong xã.` : ` ${folded.length} more sites of the commune at the same time.`;
    }
    if (o.runbook) s += vi ? ` Hướng dẫn: ${notice.runbook_url}` : ` Runbook: ${notice.runbook_url}`;
    if (o.ack) s += vi ? ` Xác nhận: ${notice.ack_url}` : ` Ack: ${notice.ack_url}`;
    return conv(s);
  };

  const fits = (t: string) => smsParts(t) <= maxParts;
  const fullPlace = notice.site ? notice.site.name : commune;
  const all: Parts = { place: fullPlace, commune: true, detail: true, folded: true, cause: true, runbook: true, ack: true };
  // the update line ("gộp N cảnh báo đã gửi") outlives the detail and the runbook link: it says the earlier alerts are covered
  const noFolded = folded.length ? [{ drop: 'folded', o: { ...all, detail: false, runbook: false, folded: false } }] : [];
  const base = { ...all, detail: false, runbook: false, folded: false };
  const steps: Array<{ drop: string; o: Parts }> = [
    { drop: '', o: all },
    { drop: 'detail', o: { ...all, detail: false } },
    { drop: 'runbook', o: { ...all, detail: false, runbook: false } },
    ...noFolded,
    { drop: 'commune', o: { ...base, commune: false } },
    { drop: 'cause', o: { ...base, commune: false, cause: false } },
  ];
  const dropped: string[] = [];
  let text = '';
  let ok = false;
  for (const step of steps) {
    if (step.drop) dropped.push(step.drop);
    text = compose(step.o);
    if (fits(text)) { ok = true; break; }
  }
  const minimal: Parts = { place: '', commune: false, detail: false, folded: false, cause: false, runbook: false, ack: true };
  if (!ok) {
    // Cut the place name, keeping the rest.
    const base = compose(minimal);
    const enc = encodingOf(base + conv(fullPlace));
    const room = capacity(enc, maxParts) - smsUnits(base, enc) - 3;
    if (room >= 8) {
      dropped.push('place');
      text = compose({ ...minimal, place: shortenAtWord(fullPlace, room + 3, '...') });
      ok = fits(text);
    }
  }
  if (!ok) {
    // Last resort: cut the words, keep the acknowledge link whole at the end.
    dropped.push('text');
    const tail = ` ${notice.ack_url}`;
    const head = compose({ ...minimal, place: fullPlace, ack: false });
    const enc = encodingOf(head + tail);
    const cap = capacity(enc, maxParts) - smsUnits(tail, enc) - 3;
    const chars = [...head];
    while (chars.length && smsUnits(chars.join(''), enc) > cap) chars.pop();
    text = cap > 0 ? `${chars.join('').replace(/[.,:\s]+$/, '')}...${tail}` : notice.ack_url;
  }
  const encoding = encodingOf(text);
  return { text, encoding, units: smsUnits(text, encoding), part_count: smsParts(text, encoding), parts: splitSms(text, encoding), dropped };
}

// ------------------------------------------------------------------ Zalo ZNS template parameters

/** The pointwatch fields a ZNS template can use (config `template_params` maps them to the template's names). */
export const ZALO_FIELDS = ['site', 'commune', 'state', 'since', 'until', 'lasted', 'cause', 'detail', 'event', 'kind', 'runbook', 'ack', 'link'] as const;
export type ZaloField = (typeof ZALO_FIELDS)[number];

/**
 * ZNS parameters are typed and length-limited by the approved template (30 characters for a
 * custom label or a name). Text values are cut to this length; links (`runbook`, `ack`, `link`) never.
 */
export const ZNS_TEXT_MAX = 30;

/**
 * At most `max` characters, cut at a word boundary with an ellipsis (never mid-word, unless the
 * first word alone is too long). Trailing punctuation before the ellipsis is dropped.
 */
export function shortenAtWord(s: string, max: number, ellipsis = '…'): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  const room = Math.max(1, max - [...ellipsis].length);
  const head = chars.slice(0, room + 1).join('');
  const at = head.lastIndexOf(' ');
  const out = (at > 0 ? head.slice(0, at) : chars.slice(0, room).join('')).replace(/[\s,.;:(–-]+$/u, '');
  return `${out}${ellipsis}`;
}

/** A ZNS text parameter: as is when it fits, else its place words abbreviated, else shortened at a word. */
function znsText(s: string): string {
  if ([...s].length <= ZNS_TEXT_MAX) return s;
  return shortenAtWord(abbreviatePlace(s), ZNS_TEXT_MAX);
}

/**
 * Values for every ZNS field. `link` is the acknowledge link (the acknowledge page shows the runbook).
 * Unknown cause is `chưa rõ`/`unknown` (ZNS rejects empty parameters).
 */
export function zaloValues(notice: Notice, lang: Lang, opts: MessageOptions = {}): Record<ZaloField, string> {
  const f = facts(notice, lang, opts.tz ?? DEFAULT_TZ);
  const short = znsText;
  return {
    site: short(f.place),
    commune: short(f.commune),
    state: short(stateName(lang, notice.state)),
    since: short(f.since),
    until: short(f.until ?? '-'),
    lasted: short(f.lasted ?? '-'),
    cause: short(causeName(lang, notice.cause ?? 'unknown')),
    detail: short(f.detail),
    event: short(f.tag),
    kind: short(f.title),
    runbook: f.runbook,
    ack: f.ack,
    link: f.ack,
  };
}

/** `template_data` for a ZNS template, from the `template_params` mapping (pointwatch field → template parameter). */
export function buildZaloTemplateData(notice: Notice, lang: Lang, mapping: Record<string, string>, opts: MessageOptions = {}): Record<string, string> {
  const values = zaloValues(notice, lang, opts);
  const out: Record<string, string> = {};
  for (const [field, param] of Object.entries(mapping)) {
    if ((ZALO_FIELDS as readonly string[]).includes(field)) out[param] = values[field as ZaloField];
  }
  return out;
}

/** The keys of a `template_params` mapping that name no pointwatch field. */
export function unknownZaloFields(mapping: Record<string, string>): string[] {
  return Object.keys(mapping).filter((k) => !(ZALO_FIELDS as readonly string[]).includes(k));
}

/** Problems in a `template_params` mapping (unknown pointwatch fields), as text. */
export function checkZaloMapping(mapping: Record<string, string>): string[] {
  return unknownZaloFields(mapping).map((k) => `template_params: unknown field "${k}" (known: ${ZALO_FIELDS.join(', ')})`);
}
