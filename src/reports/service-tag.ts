/**
 * The `svc` tag: whether a check fell inside the configured service hours, stamped at write time on
 * `site_state` and `ping` points, so the rollups (GROUP BY *) keep the split and the daily rollup
 * (`rollup_1d`) can be summed by a year's report without any per-hour weighting. Pure.
 *
 * The tag value names the definition it was computed with:
 *   `in 06:00-22:00 Asia/Ho_Chi_Minh`   the check's timestamp is inside service hours
 *   `out 06:00-22:00 Asia/Ho_Chi_Minh`  outside
 * so a report whose service hours (or time zone) differ from those of the poller that wrote the
 * data sees at once that the split does not apply (and falls back to the 1-hour rollup). Two values
 * per site: the series count only doubles for the two measurements that carry it.
 */
import { serviceWindows, type ServiceHours, type Window } from './service-hours.js';

const DAY = 86_400_000;

/** `06:00-22:00 Asia/Ho_Chi_Minh`: the definition a tag value carries. */
export function serviceSpec(hours: ServiceHours, tz: string): string {
  return `${hours.start}-${hours.end} ${tz}`;
}

/** The two tag values of one definition. */
export function serviceTagValues(hours: ServiceHours, tz: string): { in: string; out: string } {
  const spec = serviceSpec(hours, tz);
  return { in: `in ${spec}`, out: `out ${spec}` };
}

/** Returns the `svc` tag value for a point's timestamp (epoch ms). */
export type ServiceTagger = (ts: number) => string;

/**
 * A tagger for these service hours: windows are computed for a few days around the timestamps it
 * is asked about and kept (the poller asks about "now" thousands of times per cycle; an Intl call
 * per point would cost more than the point itself). Throws InputError for a bad time zone or HH:MM.
 */
export function createServiceTagger(hours: ServiceHours, tz: string): ServiceTagger {
  const values = serviceTagValues(hours, tz);
  let lo = 0;
  let hi = 0;
  let windows: Window[] = [];
  let last = 0; // index of the window looked at last (timestamps mostly arrive in order)
  const load = (ts: number) => {
    lo = Math.floor(ts / DAY) * DAY - 2 * DAY;
    hi = lo + 7 * DAY;
    // computed over a wider span so the windows at lo and hi are not clipped
    windows = serviceWindows(lo - DAY, hi + DAY, hours, tz);
    last = 0;
  };
  load(Date.now());
  return (ts: number): string => {
    if (!(ts >= lo && ts < hi)) load(ts);
    // windows are sorted and disjoint; walk from the last one looked at
    let i = Math.min(last, windows.length - 1);
    if (i < 0) return values.out;
    while (i > 0 && windows[i]![0] > ts) i--;
    while (i < windows.length - 1 && windows[i]![1] <= ts) i++;
    last = i;
    const w = windows[i]!;
    return ts >= w[0] && ts < w[1] ? values.in : values.out;
  };
}
