/**
 * What a public status page shows, computed purely from the inventory, the live states, the
 * maintenance windows and hourly state buckets. Nothing here can carry a host, an SNMP setting or
 * a contact: a PublicPoint is built field by field from the site (never spread).
 */
import type { Site } from '../../config/schema.js';
import type { SiteStateName } from '../../store/schema.js';
import type { StateBucket } from '../../store/reader.js';
import type { LiveState, MaintenanceWindow } from '../../api/deps.js';
import { compileCron, tzOffsetMs, windowCovers } from '../../alerting/maintenance.js';
import { communeClass, type MapClass } from '../../reports/map.js';

const DAY = 86_400_000;
const MINUTE = 60_000;

/**
 * An hourly (or any) state bucket of one site: the store reader's `StateBucket`, declared there.
 * The checked seconds are not needed here (a day's availability is by check counts).
 */
export type HourBucket = Omit<StateBucket, 'checked_s'>;

export interface PublicPoint {
  id: string;
  name: string;
  kind: string;
  village: string | null;
  commune: string;
  lat: number | null;
  lon: number | null;
  state: SiteStateName;
  since: number;
  /** Availability per local day, oldest first (length `days`); null = no up/down check that day. */
  days: Array<number | null>;
  /** Over the whole span; null without data. */
  avail_pct: number | null;
  cls: MapClass;
}

export interface AheadItem {
  start: number;
  end: number;
  power: boolean;
  /** Where: the names of the points or communes it covers inside the page's area. */
  where: string[];
  /** Free text with anything that looks like a phone, address or e-mail removed. */
  reason: string;
}

// ---------------------------------------------------------------- slugs

/** `Tả Van` → `ta-van`, `Bảo Thắng` → `bao-thang` (đ → d). */
export function slug(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

/** Unique slugs for names (sorted, so the same inventory always gives the same slugs). */
export function slugMap(names: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const n of [...new Set(names)].sort((a, b) => a.localeCompare(b, 'vi'))) {
    let s = slug(n);
    for (let i = 2; used.has(s); i++) s = `${slug(n)}-${i}`;
    used.add(s);
    out.set(n, s);
  }
  return out;
}

// ---------------------------------------------------------------- redaction

const PATTERNS: RegExp[] = [
  /[^\s@<>()]+@[^\s@<>()]+\.[a-z]{2,}/gi, // e-mail
  /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, // IPv4 (and port)
  /\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{0,4}\b/gi, // IPv6-ish
  /\+?\d[\d .-]{7,}\d/g, // phone numbers (8+ digits with separators)
];

/** Free text for a public page: phone numbers, e-mail and IP addresses replaced by `…`. */
export function redact(text: string): string {
  let s = text;
  for (const re of PATTERNS) s = s.replace(re, '…');
  return s;
}

// ---------------------------------------------------------------- availability

/** Local midnight (in `tz`) of the day containing `ts`. */
export function localMidnight(ts: number, tz: string): number {
  const off = tzOffsetMs(tz, ts);
  const local = Math.floor((ts + off) / DAY) * DAY;
  return local - tzOffsetMs(tz, local - off);
}

/**
 * Per site, availability per local day over the `n` days ending with today's (partial) day:
 * up / (up + down) of the checks; UNREACHABLE, UNKNOWN and MAINTENANCE are left out (as in the
 * coverage report: a parent's outage is not the child's).
 */
export function dailyAvailability(buckets: readonly HourBucket[], now: number, n: number, tz: string): Map<string, { days: Array<number | null>; pct: number | null }> {
  const today = localMidnight(now, tz);
  const starts: number[] = [];
  for (let i = n - 1; i >= 0; i--) starts.push(localMidnight(today - i * DAY + 12 * 3_600_000, tz));
  const acc = new Map<string, Array<{ up: number; down: number }>>();
  for (const b of buckets) {
    if (b.ts < starts[0]! || b.ts >= now) continue;
    let i = starts.length - 1;
    while (i > 0 && b.ts < starts[i]!) i--;
    let a = acc.get(b.site);
    if (!a) acc.set(b.site, (a = starts.map(() => ({ up: 0, down: 0 }))));
    a[i]!.up += b.up;
    a[i]!.down += b.down;
  }
  const out = new Map<string, { days: Array<number | null>; pct: number | null }>();
  for (const [site, a] of acc) {
    const up = a.reduce((t, d) => t + d.up, 0), down = a.reduce((t, d) => t + d.down, 0);
    out.set(site, { days: a.map((d) => (d.up + d.down > 0 ? d.up / (d.up + d.down) : null)), pct: up + down > 0 ? (100 * up) / (up + down) : null });
  }
  return out;
}

/**
 * The coverage class of a point from its days: no data → unknown; no up day in the last
 * `droppedOffDays` (but data before) → dropped off; meets the target → live; else at risk.
 */
export function pointClass(days: ReadonlyArray<number | null>, pct: number | null, target: number, droppedOffDays: number): MapClass {
  if (pct === null) return 'unknown';
  const recent = days.slice(-droppedOffDays);
  if (recent.every((d) => d === null || d === 0)) return 'dropped_off';
  return pct >= target ? 'live' : 'at_risk';
}

export { communeClass };

// ---------------------------------------------------------------- maintenance ahead

/**
 * Windows (one-off and recurring) that touch [now, now + aheadMs) and cover a point of the area,
 * soonest first; a recurring window gives its next occurrence. Power cuts: imported from a
 * power-cut CSV (`source: csv:…`) or a reason that says so.
 */
export function maintenanceAhead(
  windows: ReadonlyArray<MaintenanceWindow & { source?: string }>,
  sites: ReadonlyArray<Pick<Site, 'id' | 'name' | 'commune' | 'group' | 'province'>>,
  now: number,
  aheadMs: number,
  tz: string,
): AheadItem[] {
  const out: AheadItem[] = [];
  for (const w of windows) {
    const covered = sites.filter((s) => windowCovers(w, s));
    if (!covered.length) continue;
    let start = w.start, end = w.end;
    if (w.cron) {
      const next = nextOccurrence(w.cron, Math.max(now - (w.duration_ms ?? 0), w.start), Math.min(w.end, now + aheadMs), tz);
      if (next === null) continue;
      start = next;
      end = Math.min(w.end, next + (w.duration_ms ?? 0));
    }
    if (end <= now || start >= now + aheadMs) continue;
    // a window on whole communes (or groups) is shown by commune, one on points by point
    const byArea = covered.every((s) => !w.sites.includes(s.id));
    const where = byArea ? [...new Set(covered.map((s) => s.commune))] : covered.map((s) => s.name);
    const power = (w.source ?? '').startsWith('csv:') || /điện|power/i.test(w.reason);
    out.push({ start, end, power, where, reason: redact(w.reason) });
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** First minute in [from, to) where the cron pattern fires in local time `tz`; null if none. */
export function nextOccurrence(pattern: string, from: number, to: number, tz: string): number | null {
  const m = compileCron(pattern);
  for (let t = Math.ceil(from / MINUTE) * MINUTE; t < to; t += MINUTE) {
    if (m.matchesLocal(new Date(t + tzOffsetMs(tz, t)))) return t;
  }
  return null;
}

// ---------------------------------------------------------------- the points

export function publicPoints(
  sites: readonly Site[],
  states: ReadonlyMap<string, LiveState>,
  avail: ReadonlyMap<string, { days: Array<number | null>; pct: number | null }>,
  opts: { now: number; days: number; target: number; droppedOffDays: number },
): PublicPoint[] {
  return sites.map((s) => {
    const st = states.get(s.id);
    const a = avail.get(s.id);
    const days = a?.days ?? Array.from({ length: opts.days }, () => null);
    const pct = a?.pct ?? null;
    // field by field on purpose: host, snmp and contacts never reach a public page
    return {
      id: s.id, name: s.name, kind: s.kind, village: s.village ?? null, commune: s.commune,
      lat: s.lat ?? null, lon: s.lon ?? null,
      state: st?.state ?? 'UNKNOWN', since: st?.since ?? opts.now,
      days, avail_pct: pct, cls: pointClass(days, pct, opts.target, opts.droppedOffDays),
    };
  });
}

export { DAY };
