/**
 * The 4G figures of a site as people read them, pure: the last reading, its quality in one word,
 * the data package. `poor` is exactly the weak-signal alert's rule (any of RSRP, RSRQ, SINR below
 * `thresholds.lte`, src/alerting/reducer.ts weakSignal), so the page and the alert never disagree;
 * `good` is every known figure at least GOOD_MARGIN above its threshold (with the default
 * thresholds: RSRP ≥ −90 dBm, RSRQ ≥ −10 dB, SINR ≥ 13 dB, the usual "good" band of LTE tables);
 * `fair` is in between.
 */
import type { Settings } from '../config/schema.js';
import type { LteFigures } from '../core/types.js';
import type { LteQuality } from '../core/glossary.js';
import type { Series } from '../api/deps.js';
import { weakSignal } from '../alerting/reducer.js';

type LteThresholds = Settings['thresholds']['lte'];
const JUDGED = ['rsrp_dbm', 'rsrq_db', 'sinr_db'] as const;

/** How far above the weak threshold a figure must be to call the signal good (dB). */
export const GOOD_MARGIN: Record<(typeof JUDGED)[number], number> = { rsrp_dbm: 20, rsrq_db: 5, sinr_db: 13 };

/** null: no figure to judge (the same as the alert's "nothing to say"). */
export function lteQuality(lte: LteFigures, t: LteThresholds): LteQuality | null {
  const weak = weakSignal(lte, t);
  if (weak === null) return null;
  if (weak.bad) return 'poor';
  return JUDGED.every((k) => lte[k] === undefined || lte[k] >= t[k] + GOOD_MARGIN[k]) ? 'good' : 'fair';
}

export interface LteReading extends LteFigures {
  ts: number;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The newest point of the series that has a signal figure (RSRP, RSRQ or SINR); null when none. */
export function lastReading(...series: Array<Series | null | undefined>): LteReading | null {
  for (const s of series) {
    const points = s?.points ?? [];
    for (let i = points.length - 1; i >= 0; i--) {
      const v = points[i]!.values;
      if (JUDGED.every((k) => num(v[k]) === undefined)) continue;
      const out: LteReading = { ts: points[i]!.t };
      for (const k of ['rsrp_dbm', 'rsrq_db', 'sinr_db', 'rssi_dbm', 'cell_id', 'enb_id'] as const) {
        const x = num(v[k]);
        if (x !== undefined) out[k] = x;
      }
      const op = text(v.operator);
      const band = text(v.band);
      if (op !== undefined) out.operator = op;
      if (band !== undefined) out.band = band;
      return out;
    }
  }
  return null;
}

export interface QuotaState {
  /** The router's last word on its data package: true used up, false some left, null never said. */
  exhausted: boolean | null;
  /** When it last said so. */
  at: number | null;
  /** Mobile data used over the series' span (bytes), null when no report carried it. */
  usedBytes: number | null;
}

/** From the push series of a span: the last quota flag and the data used over it. */
export function quotaState(s: Series | null | undefined): QuotaState {
  let exhausted: boolean | null = null;
  let at: number | null = null;
  let used: number | null = null;
  for (const p of s?.points ?? []) {
    const q = num(p.values.quota_exhausted);
    if (q !== undefined) {
      exhausted = q > 0;
      at = p.t;
    }
    const u = num(p.values.data_used_bytes);
    if (u !== undefined) used = (used ?? 0) + u;
  }
  return { exhausted, at, usedBytes: used };
}
