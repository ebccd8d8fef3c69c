/**
 * How much of a state bucket counts: the seconds in each state that fall inside a site's service
 * hours (pro rata, or in full for the daily rollup's service sums and totals). Pure; apart from the
 * aggregation because every bucket of every site goes through it (the cache is why).
 */
import type { StateSpan } from './coverage.js';
import { overlapMs, type Window } from './service-hours.js';

/** Seconds by state (and the seconds the site's descendants were UNREACHABLE because of it). */
export interface StateSeconds {
  up: number; down: number; unreachable: number; unknown: number; maintenance: number; checked: number;
  downstream: number;
}

export const zeroSeconds = (): StateSeconds => ({ up: 0, down: 0, unreachable: 0, unknown: 0, maintenance: 0, checked: 0, downstream: 0 });

/** Weights already computed, by bucket start then end, for plain and `service` buckets. */
export interface WeightCache {
  plain: Map<number, Map<number, number>>;
  service: Map<number, Map<number, number>>;
}

export const newWeightCache = (): WeightCache => ({ plain: new Map(), service: new Map() });

/**
 * Seconds in each state of one bucket, restricted to service windows (pro rata). A `service` bucket
 * holds service-hour checks only: it counts by the share of the period's service time in it that
 * is in this site's windows (1 unless the site was added inside it). `cache` only for sites whose
 * windows are the period's (`all`).
 */
export function bucketSeconds(b: StateSpan, windows: readonly Window[], all: readonly Window[], cache?: WeightCache): StateSeconds | null {
  const len = b.end - b.start;
  if (!(len > 0)) return null;
  // buckets of every site share their starts: the overlap is computed once per (start, end)
  const c = b.total ? undefined : b.service ? cache?.service : cache?.plain;
  let byEnd = c?.get(b.start);
  let frac = byEnd?.get(b.end);
  if (frac === undefined) {
    if (b.total) {
      frac = overlapMs(windows, b.start, b.end) > 0 ? 1 : 0;
    } else if (b.service) {
      const whole = overlapMs(all, b.start, b.end);
      frac = whole > 0 ? overlapMs(windows, b.start, b.end) / whole : 0;
    } else {
      frac = overlapMs(windows, b.start, b.end) / len;
    }
    if (c) {
      if (!byEnd) c.set(b.start, (byEnd = new Map()));
      byEnd.set(b.end, frac);
    }
  }
  if (frac <= 0) return null;
  const n = b.up + b.down + b.unreachable + b.unknown + b.maintenance;
  if (!(n > 0) || !(b.checked_s > 0)) return null;
  const k = (b.checked_s * frac) / n;
  return {
    up: b.up * k, down: b.down * k, unreachable: b.unreachable * k, unknown: b.unknown * k,
    maintenance: b.maintenance * k, checked: b.checked_s * frac, downstream: 0,
  };
}
