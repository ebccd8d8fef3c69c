/**
 * Service hours in a time zone (e.g. 06:00-22:00 in Asia/Ho_Chi_Minh) as UTC windows, and the
 * overlap of any interval with them. Pure; time zones through Intl (no tz database of our own).
 */
import { InputError } from '../core/errors.js';

export interface ServiceHours {
  /** `HH:MM` local time. */
  start: string;
  /** `HH:MM` local time. `end` <= `start` means the window runs past midnight; equal means all day. */
  end: string;
}

/** [start, end) in epoch ms. */
export type Window = readonly [number, number];

const DAY_MS = 86_400_000;
const dtfCache = new Map<string, Intl.DateTimeFormat>();

function dtf(tz: string): Intl.DateTimeFormat {
  let f = dtfCache.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', second: '2-digit',
      });
    } catch (err) {
      throw new InputError(`unknown time zone "${tz}" (settings reports.timezone): use an IANA name such as Asia/Ho_Chi_Minh`, undefined, { cause: err });
    }
    dtfCache.set(tz, f);
  }
  return f;
}

/** Throws InputError when `tz` is not a time zone this Node knows. */
export function checkTimeZone(tz: string): void {
  dtf(tz);
}

/** Local wall-clock parts of an instant in `tz`. */
export function localParts(t: number, tz: string): { y: number; m: number; d: number; hh: number; mm: number; ss: number } {
  const parts = dtf(tz).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { y: get('year'), m: get('month'), d: get('day'), hh: get('hour'), mm: get('minute'), ss: get('second') };
}

/** Offset of `tz` from UTC at instant `t`, in ms (Asia/Ho_Chi_Minh: +7 h). */
export function tzOffsetMs(t: number, tz: string): number {
  const p = localParts(t, tz);
  const asUtc = Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm, p.ss);
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** The instant at which the wall clock in `tz` shows y-m-d hh:mm (the earlier one in a DST overlap). */
export function zonedTimeToUtc(y: number, m: number, d: number, hh: number, mm: number, tz: string): number {
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  let t = guess - tzOffsetMs(guess, tz);
  const off2 = tzOffsetMs(t, tz);
  if (guess - off2 !== t) t = guess - off2;
  return t;
}

function hm(s: string): [number, number] {
  const m = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(s);
  if (!m) throw new InputError(`service hours "${s}" is not HH:MM (settings reports.service_hours)`);
  return [Number(m[1]), Number(m[2])];
}

/** Local midnight (as UTC ms) of the day containing `t` in `tz`. */
export function localMidnight(t: number, tz: string): number {
  const p = localParts(t, tz);
  return zonedTimeToUtc(p.y, p.m, p.d, 0, 0, tz);
}

/** `YYYY-MM-DD` (a local date, e.g. Site.added) → local midnight as UTC ms. */
export function localDateToUtc(date: string, tz: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new InputError(`"${date}" is not a date YYYY-MM-DD`);
  return zonedTimeToUtc(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, tz);
}

/**
 * The service windows that intersect [from, to), clipped to it, sorted and non-overlapping.
 * One window per local day (DST-safe: each day's start and end are resolved separately).
 */
export function serviceWindows(from: number, to: number, hours: ServiceHours, tz: string): Window[] {
  if (!(to > from)) return [];
  const [sh, sm] = hm(hours.start);
  const [eh, em] = hm(hours.end);
  const startMin = sh * 60 + sm;
  const endMin = eh * 60 + em;
  const out: Window[] = [];
  // walk local days from the day before `from` to the day after `to`
  const first = localParts(from - DAY_MS, tz);
  let day = Date.UTC(first.y, first.m - 1, first.d);
  const last = localParts(to + DAY_MS, tz);
  const lastDay = Date.UTC(last.y, last.m - 1, last.d);
  for (; day <= lastDay; day += DAY_MS) {
    const dt = new Date(day);
    const y = dt.getUTCFullYear(), mo = dt.getUTCMonth() + 1, d = dt.getUTCDate();
    const a = zonedTimeToUtc(y, mo, d, sh, sm, tz);
    let b: number;
    if (endMin > startMin) {
      b = zonedTimeToUtc(y, mo, d, eh, em, tz);
    } else {
      const next = new Date(day + DAY_MS);
      b = zonedTimeToUtc(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), eh, em, tz);
    }
    const lo = Math.max(a, from);
    const hi = Math.min(b, to);
    if (hi > lo) {
      const prev = out[out.length - 1];
      if (prev && prev[1] >= lo) out[out.length - 1] = [prev[0], Math.max(prev[1], hi)];
      else out.push([lo, hi]);
    }
  }
  return out;
}

/** Index of the first window whose end is after `t`. */
function firstEndingAfter(windows: readonly Window[], t: number): number {
  let lo = 0, hi = windows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (windows[mid]![1] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Milliseconds of [a, b) inside the (sorted, disjoint) windows. */
export function overlapMs(windows: readonly Window[], a: number, b: number): number {
  if (!(b > a)) return 0;
  let total = 0;
  for (let i = firstEndingAfter(windows, a); i < windows.length; i++) {
    const w = windows[i]!;
    if (w[0] >= b) break;
    total += Math.min(b, w[1]) - Math.max(a, w[0]);
  }
  return total;
}

/** The windows clipped to [a, b). */
export function clipWindows(windows: readonly Window[], a: number, b: number): Window[] {
  const out: Window[] = [];
  for (let i = firstEndingAfter(windows, a); i < windows.length; i++) {
    const w = windows[i]!;
    if (w[0] >= b) break;
    const lo = Math.max(a, w[0]), hi = Math.min(b, w[1]);
    if (hi > lo) out.push([lo, hi]);
  }
  return out;
}
