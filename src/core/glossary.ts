/**
 * THE glossary: the one table that names every state, alert kind, cause, notice event and
 * duration unit for people, in every language. The web UI (src/web/i18n.ts), the messages
 * (src/alerting/notifiers/messages.ts), the conditions (src/alerting/condition.ts) and the
 * runbook titles (checked by a test) all take their words from here; the compiler checks that
 * every entry has every language.
 */
import type { AlertKind, Cause, Notice } from '../alerting/notice.js';
import type { Lang } from '../config/schema.js';
import type { SiteStateName } from '../store/schema.js';

type Words = Record<Lang, string>;

export const STATE_NAMES: Record<SiteStateName, Words> = {
  UP: { vi: 'Hoạt động', en: 'Up' },
  // DEGRADED is "Suy giảm": "Chập chờn" is the flapping alert, a different thing
  DEGRADED: { vi: 'Suy giảm', en: 'Degraded' },
  DOWN: { vi: 'Mất kết nối', en: 'Down' },
  UNREACHABLE: { vi: 'Không tới được', en: 'Unreachable' },
  MAINTENANCE: { vi: 'Bảo trì', en: 'Maintenance' },
  UNKNOWN: { vi: 'Chưa rõ', en: 'Unknown' },
};

export const KIND_NAMES: Record<AlertKind, Words> = {
  'site-down': { vi: 'Điểm Wi-Fi mất kết nối', en: 'Wi-Fi point down' },
  'upstream-down': { vi: 'Mất đường truyền tuyến trên', en: 'Upstream link down' },
  'power-cut-suspected': { vi: 'Nghi mất điện', en: 'Power cut suspected' },
  'high-loss': { vi: 'Mất gói tin cao', en: 'High packet loss' },
  'high-latency': { vi: 'Độ trễ cao', en: 'High latency' },
  'snmp-unreachable': { vi: 'Không đọc được thông số thiết bị', en: 'Router not answering SNMP' },
  'wan-interface-down': { vi: 'Cổng WAN bị ngắt', en: 'WAN interface down' },
  saturation: { vi: 'Đường truyền quá tải', en: 'Link saturated' },
  flapping: { vi: 'Chập chờn', en: 'Flapping' },
  rebooted: { vi: 'Thiết bị tự khởi động lại', en: 'Router rebooted' },
  'weak-signal': { vi: 'Sóng 4G yếu', en: 'Weak 4G signal' },
  'quota-exhausted': { vi: 'Hết dung lượng gói cước 4G', en: '4G data package used up' },
};

export const CAUSE_NAMES: Record<Cause, Words> = {
  power: { vi: 'mất điện', en: 'power cut' },
  link: { vi: 'đứt đường truyền', en: 'link cut' },
  unknown: { vi: 'chưa rõ', en: 'unknown' },
};

/** How good a 4G signal is, said plainly (the site page; `poor` is what raises the weak-signal alert). */
export const LTE_QUALITIES = ['good', 'fair', 'poor'] as const;
export type LteQuality = (typeof LTE_QUALITIES)[number];
export const LTE_QUALITY_NAMES: Record<LteQuality, Words> = {
  good: { vi: 'Sóng tốt', en: 'Good signal' },
  fair: { vi: 'Sóng trung bình', en: 'Fair signal' },
  poor: { vi: 'Sóng yếu', en: 'Poor signal' },
};

/** How the cause is introduced: it is always inferred (from the routers' uptimes), never seen. */
export const CAUSE_LABEL: Words = { vi: 'Nguyên nhân (ước đoán)', en: 'Likely cause' };

export const EVENT_NAMES: Record<Notice['event'], Words> = {
  firing: { vi: 'CẢNH BÁO', en: 'ALERT' },
  resolved: { vi: 'ĐÃ KHÔI PHỤC', en: 'RESOLVED' },
  escalated: { vi: 'CHUYỂN CẤP', en: 'ESCALATED' },
};

const UNITS: Record<Lang, { d: string; h: string; m: string; under: string }> = {
  vi: { d: 'ngày', h: 'giờ', m: 'phút', under: 'dưới 1 phút' },
  en: { d: 'd', h: 'h', m: 'min', under: 'under 1 min' },
};

export const stateName = (lang: Lang, s: SiteStateName): string => STATE_NAMES[s][lang];
/** An unknown kind (a newer server's) is shown as its id rather than nothing. */
export const kindName = (lang: Lang, k: string): string => (KIND_NAMES as Record<string, Words>)[k]?.[lang] ?? k;
export const causeName = (lang: Lang, c: Cause): string => CAUSE_NAMES[c][lang];
export const eventName = (lang: Lang, e: Notice['event']): string => EVENT_NAMES[e][lang];

/** vi `4 phút`, `2 giờ 15 phút`, `2 ngày 3 giờ`; en `4 min`, `2 h 15 min`, `2 d 3 h`. */
export function formatDuration(ms: number, lang: Lang): string {
  const totalMin = Math.floor(Math.max(0, ms) / 60_000);
  const u = UNITS[lang];
  if (totalMin < 1) return u.under;
  const d = Math.floor(totalMin / 1440);
  const h = Math.floor((totalMin % 1440) / 60);
  const m = totalMin % 60;
  const out: string[] = [];
  if (d) out.push(`${d} ${u.d}`);
  if (h) out.push(`${h} ${u.h}`);
  if (m && !d) out.push(`${m} ${u.m}`);
  return out.join(' ');
}

/** A configured duration (`30m`, `3m`, `2h`) as people read it: `30 phút`, `2 h`. Seconds stay seconds. */
export function formatConfigDuration(text: string, lang: Lang): string {
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(text);
  if (!m) return text;
  const n = Number(m[1]);
  if (m[2] === 's' || m[2] === 'ms') return `${n} ${m[2] === 's' ? (lang === 'vi' ? 'giây' : 's') : 'ms'}`;
  const mult = { m: 1, h: 60, d: 1440, w: 10080 }[m[2] as 'm' | 'h' | 'd' | 'w'];
  return formatDuration(n * mult * 60_000, lang);
}
