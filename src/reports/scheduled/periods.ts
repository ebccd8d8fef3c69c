/**
 * When a scheduled report was last due and which period it covers (pure). The runner asks
 * "what is the latest fire time ≤ now?" and sends that period once: a restart re-asks the same
 * question and finds it recorded; a period missed while stopped is caught up once (only the
 * latest one: a stale daily list is never sent).
 */
import { compileCron, tzOffsetMs } from '../../alerting/maintenance.js';

export const REPORT_KINDS = ['still_down', 'weekly', 'monthly'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Latest minute ≤ now at which the cron pattern fires in local time `tz`; null within `lookbackMs`. */
export function lastFire(pattern: string, now: number, tz: string, lookbackMs = 32 * DAY): number | null {
  const m = compileCron(pattern);
  let t = Math.floor(now / MINUTE) * MINUTE;
  let offHour = NaN, off = 0;
  for (const stop = now - lookbackMs; t >= stop; t -= MINUTE) {
    const h = Math.floor(t / HOUR);
    if (h !== offHour) { off = tzOffsetMs(tz, t); offHour = h; }
    if (m.matchesLocal(new Date(t + off))) return t;
  }
  return null;
}

/** Local wall-clock date parts of `ts` in `tz`. */
function local(ts: number, tz: string) {
  const d = new Date(ts + tzOffsetMs(tz, ts));
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
}

/** Epoch ms of local midnight y-m-d in `tz` (day/month overflow allowed). */
export function localDate(y: number, m: number, d: number, tz: string): number {
  const guess = Date.UTC(y, m - 1, d);
  return guess - tzOffsetMs(tz, guess - tzOffsetMs(tz, guess));
}

const pad = (n: number) => String(n).padStart(2, '0');
export function ymd(ts: number, tz: string): string {
  const l = local(ts, tz);
  return `${l.y}-${pad(l.m)}-${pad(l.d)}`;
}

export interface Period {
  /** Part of the send key: the same for every fire that covers the same period. */
  id: string;
  from: number;
  to: number;
}

/**
 * still_down: the local day of the fire (the list is of that moment); weekly: the 7 local days
 * before the fire's day; monthly: the calendar month before the fire's month.
 */
export function periodFor(kind: ReportKind, fire: number, tz: string): Period {
  const l = local(fire, tz);
  const today = localDate(l.y, l.m, l.d, tz);
  if (kind === 'still_down') return { id: ymd(fire, tz), from: fire, to: fire };
  if (kind === 'weekly') {
    const from = localDate(l.y, l.m, l.d - 7, tz);
    return { id: `${ymd(from, tz)}..${ymd(today - DAY / 2, tz)}`, from, to: today };
  }
  const from = localDate(l.y, l.m - 1, 1, tz);
  const to = localDate(l.y, l.m, 1, tz);
  const f = local(from, tz);
  return { id: `${f.y}-${pad(f.m)}`, from, to };
}
