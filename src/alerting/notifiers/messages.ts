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
import { capacity, encodingOf, smsParts, smsUnits, splitSms, stripDiacritics, type SmsEncoding } from './sms-encoding.js';

export const DEFAULT_TZ = 'Asia/Ho_Chi_Minh';

export interface MessageOptions {
  /** IANA time zone for "since"/"until" (default Asia/Ho_Chi_Minh). */
  tz?: string;
}

/** The recipient's language, else the notice's. */
export function langFor(notice: Notice, recipient?: Pick<Recipient, 'lang'>): Lang {
  return recipient?.lang ?? notice.lang;
}

// ------------------------------------------------------------------ vocabulary

const EVENT: Record<Lang, Record<Notice['event'], string>> = {
  vi: { firing: 'CẢNH BÁO', resolved: 'ĐÃ KHÔI PHỤC', escalated: 'CHUYỂN CẤP' },
  en: { firing: 'ALERT', resolved: 'RESOLVED', escalated: 'ESCALATED' },
};

export const KIND_TITLE: Record<Lang, Record<AlertKind, string>> = {
  vi: {
    'site-down': 'Điểm Wi-Fi mất kết nối',
    'upstream-down': 'Mất kết nối tuyến trên',
    'power-cut-suspected': 'Nghi mất điện diện rộng',
    'high-loss': 'Mất gói tin cao',
    'high-latency': 'Độ trễ cao',
    'snmp-unreachable': 'Không đọc được thông số thiết bị (SNMP)',
    'wan-interface-down': 'Cổng WAN bị ngắt',
    saturation: 'Đường truyền bị quá tải',
    flapping: 'Kết nối chập chờn',
    rebooted: 'Thiết bị tự khởi động lại',
    'weak-signal': 'Sóng 4G yếu',
    'quota-exhausted': 'Hết dung lượng gói cước 4G',
  },
  en: {
    'site-down': 'Wi-Fi point down',
    'upstream-down': 'Upstream link down',
    'power-cut-suspected': 'Power cut suspected',
    'high-loss': 'High packet loss',
    'high-latency': 'High latency',
    'snmp-unreachable': 'SNMP not answering',
    'wan-interface-down': 'WAN interface down',
    saturation: 'Link saturated',
    flapping: 'Flapping connection',
    rebooted: 'Router rebooted',
    'weak-signal': 'Weak 4G signal',
    'quota-exhausted': '4G data package used up',
  },
};

const STATE: Record<Lang, Record<SiteStateName, string>> = {
  vi: {
    UP: 'HOẠT ĐỘNG',
    DEGRADED: 'CHẤT LƯỢNG KÉM',
    DOWN: 'MẤT KẾT NỐI',
    UNREACHABLE: 'KHÔNG TRUY CẬP ĐƯỢC',
    MAINTENANCE: 'ĐANG BẢO TRÌ',
    UNKNOWN: 'KHÔNG RÕ',
  },
  en: { UP: 'UP', DEGRADED: 'DEGRADED', DOWN: 'DOWN', UNREACHABLE: 'UNREACHABLE', MAINTENANCE: 'MAINTENANCE', UNKNOWN: 'UNKNOWN' },
};

const CAUSE: Record<Lang, Record<Cause, string>> = {
  vi: {
    power: 'mất điện (bộ định tuyến đã khởi động lại)',
    link: 'đứt đường truyền (bộ định tuyến vẫn chạy, không khởi động lại)',
    unknown: 'chưa rõ',
  },
  en: {
    power: 'power cut (the router rebooted)',
    link: 'link cut (the router stayed up)',
    unknown: 'unknown',
  },
};
const CAUSE_SHORT: Record<Lang, Record<Cause, string>> = {
  vi: { power: 'mất điện', link: 'đứt đường truyền', unknown: 'chưa rõ' },
  en: { power: 'power cut', link: 'link cut', unknown: 'unknown' },
};

const LEVEL: Record<Lang, Record<Notice['level'], string>> = {
  vi: { commune: 'cấp xã', group: 'cấp cụm xã', province: 'cấp tỉnh' },
  en: { commune: 'commune level', group: 'commune-group level', province: 'province level' },
};

const LABEL = {
  vi: {
    area: 'Địa bàn', state: 'Trạng thái', since: 'Từ lúc', until: 'Đến lúc', lasted: 'Kéo dài', cause: 'Nguyên nhân',
    detail: 'Chi tiết', affected: 'Ảnh hưởng thêm', runbook: 'Hướng dẫn xử lý', ack: 'Xác nhận đã nhận',
    escalated: 'Chưa ai xác nhận: chuyển lên', more: 'và {n} điểm khác', sites: 'điểm',
    footer: 'Tin nhắn tự động từ hệ thống giám sát Wi-Fi công cộng pointwatch.',
  },
  en: {
    area: 'Area', state: 'State', since: 'Since', until: 'Until', lasted: 'Lasted', cause: 'Cause',
    detail: 'Detail', affected: 'Also affected', runbook: 'Runbook', ack: 'Acknowledge',
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

/** vi `1 giờ 12 phút`, en `1 h 12 min`; days for long outages. */
export function formatDuration(ms: number, lang: Lang): string {
  const totalMin = Math.floor(Math.max(0, ms) / 60_000);
  if (totalMin < 1) return lang === 'vi' ? 'dưới 1 phút' : 'under 1 min';
  const d = Math.floor(totalMin / 1440);
  const h = Math.floor((totalMin % 1440) / 60);
  const m = totalMin % 60;
  const u = lang === 'vi' ? { d: 'ngày', h: 'giờ', m: 'phút' } : { d: 'd', h: 'h', m: 'min' };
  const out: string[] = [];
  if (d) out.push(`${d} ${u.d}`);
  if (h) out.push(`${h} ${u.h}`);
  if (m && !d) out.push(`${m} ${u.m}`);
  return out.join(' ');
}

export function stateLabel(state: SiteStateName, lang: Lang): string {
  return lang === 'vi' ? `${STATE.vi[state]} (${state})` : state;
}

export function causeText(cause: Cause, lang: Lang): string {
  return CAUSE[lang][cause];
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
    tag: EVENT[lang][notice.event],
    title: KIND_TITLE[lang][notice.kind],
    place: placeName(notice, lang),
    commune: communeName(notice.area.commune, notice.area.commune_kind, lang),
    area: formatArea(notice.area, lang),
    state: stateLabel(notice.state, lang),
    since: formatLocalTime(notice.since, lang, tz),
    until: resolved && end !== undefined ? formatLocalTime(end, lang, tz) : undefined,
    lasted: resolved && end !== undefined ? formatDuration(end - notice.since, lang) : undefined,
    // A resolved notice always states the cause (unknown when nobody could tell).
    cause: notice.cause ? causeText(notice.cause, lang) : resolved ? causeText('unknown', lang) : undefined,
    detail: notice.detail,
    affected: notice.affected.length
      ? `${notice.affected.length} ${L.sites}: ${names.join(', ')}${extra > 0 ? ` ${L.more.replace('{n}', String(extra))}` : ''}`
      : undefined,
    escalated: notice.event === 'escalated' ? `${L.escalated} ${LEVEL[lang][notice.level]}` : undefined,
    runbook: notice.runbook_url,
    ack: notice.ack_url,
  };
}

function rows(f: Facts, lang: Lang): Array<[string, string]> {
  const L = LABEL[lang];
  const r: Array<[string, string]> = [[L.area, f.area], [L.state, f.state], [L.since, f.since]];
  if (f.until) r.push([L.until, f.until]);
  if (f.lasted) r.push([L.lasted, f.lasted]);
  if (f.cause) r.push([L.cause, f.cause]);
  r.push([L.detail, f.detail]);
  if (f.affected) r.push([L.affected, f.affected]);
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
  /** Which optional fields were dropped to fit, in order (`detail`, `runbook`, `cause`, `commune`, `place`, `text`). */
  dropped: string[];
}

export interface SmsOptions extends MessageOptions {
  /** Longest the message may be, in SMS parts (default 3). */
  maxParts?: number;
  /** 'auto': UCS-2 when the text needs it (Vietnamese with diacritics); 'gsm7': strip diacritics first. */
  encoding?: 'auto' | 'gsm7';
}

/**
 * The short form. Shortening order when it does not fit in `maxParts`: drop the detail, then the
 * runbook link (the acknowledge page links it), then the cause, then the commune, then cut the
 * site name; as a last resort the words are cut and the acknowledge link is kept whole at the end.
 */
export function buildSms(notice: Notice, lang: Lang, opts: SmsOptions = {}): SmsMessage {
  const tz = opts.tz ?? DEFAULT_TZ;
  const maxParts = Math.max(1, opts.maxParts ?? 3);
  const resolved = notice.event === 'resolved';
  const vi = lang === 'vi';
  const conv = (s: string) => (opts.encoding === 'gsm7' ? stripDiacritics(s) : s);
  const tag = EVENT[lang][notice.event];
  const state = vi ? STATE.vi[notice.state] : notice.state;
  const commune = communeName(notice.area.commune, notice.area.commune_kind, lang);
  const since = formatShortTime(notice.since, tz);
  const cause = notice.cause ?? (resolved ? 'unknown' : undefined);

  interface Parts { place: string; commune: boolean; detail: boolean; cause: boolean; runbook: boolean; ack: boolean }
  const compose = (o: Parts): string => {
    const where = notice.site && o.commune ? `${o.place} (${commune})` : o.place;
    let s: string;
    if (resolved && notice.resolved_at !== undefined) {
      const lasted = formatDuration(notice.resolved_at - notice.since, lang);
      const until = formatShortTime(notice.resolved_at, tz);
      s = vi
        ? `${tag}: ${where} ${state} lại lúc ${until}, sau ${lasted} (từ ${since}).`
        : `${tag}: ${where} ${state} again at ${until} after ${lasted} (since ${since}).`;
    } else {
      s = vi ? `${tag}: ${where} ${state} từ ${since}.` : `${tag}: ${where} ${state} since ${since}.`;
    }
    if (o.cause && cause) s += vi ? ` Nguyên nhân: ${CAUSE_SHORT.vi[cause]}.` : ` Cause: ${CAUSE_SHORT.en[cause]}.`;
    if (o.detail) s += ` ${notice.detail}.`;
    if (o.runbook) s += vi ? ` Hướng dẫn: ${notice.runbook_url}` : ` Runbook: ${notice.runbook_url}`;
    if (o.ack) s += vi ? ` Xác nhận: ${notice.ack_url}` : ` Ack: ${notice.ack_url}`;
    return conv(s);
  };

  const fits = (t: string) => smsParts(t) <= maxParts;
  const fullPlace = placeName(notice, lang);
  const all: Parts = { place: fullPlace, commune: true, detail: true, cause: true, runbook: true, ack: true };
  const steps: Array<{ drop: string; o: Parts }> = [
    { drop: '', o: all },
    { drop: 'detail', o: { ...all, detail: false } },
    { drop: 'runbook', o: { ...all, detail: false, runbook: false } },
    { drop: 'cause', o: { ...all, detail: false, runbook: false, cause: false } },
    { drop: 'commune', o: { ...all, detail: false, runbook: false, cause: false, commune: false } },
  ];
  const dropped: string[] = [];
  let text = '';
  let ok = false;
  for (const step of steps) {
    if (step.drop) dropped.push(step.drop);
    text = compose(step.o);
    if (fits(text)) { ok = true; break; }
  }
  const minimal: Parts = { place: '', commune: false, detail: false, cause: false, runbook: false, ack: true };
  if (!ok) {
    // Cut the place name, keeping the rest.
    const base = compose(minimal);
    const enc = encodingOf(base + conv(fullPlace));
    const room = capacity(enc, maxParts) - smsUnits(base, enc) - 3;
    if (room >= 8) {
      dropped.push('place');
      text = compose({ ...minimal, place: `${[...fullPlace].slice(0, room).join('')}...` });
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

function cut(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Values for every ZNS field. `link` is the acknowledge link (the acknowledge page shows the runbook).
 * Unknown cause is `chưa rõ`/`unknown` (ZNS rejects empty parameters).
 */
export function zaloValues(notice: Notice, lang: Lang, opts: MessageOptions = {}): Record<ZaloField, string> {
  const f = facts(notice, lang, opts.tz ?? DEFAULT_TZ);
  const short = (s: string) => cut(s, ZNS_TEXT_MAX);
  return {
    site: short(f.place),
    commune: short(f.commune),
    state: short(lang === 'vi' ? STATE.vi[notice.state] : notice.state),
    since: short(f.since),
    until: short(f.until ?? '-'),
    lasted: short(f.lasted ?? '-'),
    cause: short(CAUSE_SHORT[lang][notice.cause ?? 'unknown']),
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

/** Problems in a `template_params` mapping (unknown pointwatch fields), for check-config. */
export function checkZaloMapping(mapping: Record<string, string>): string[] {
  return Object.keys(mapping)
    .filter((k) => !(ZALO_FIELDS as readonly string[]).includes(k))
    .map((k) => `template_params: unknown field "${k}" (known: ${ZALO_FIELDS.join(', ')})`);
}
