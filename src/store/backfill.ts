/**
 * Recompute the rollups of a time range from raw data, with the SAME select the continuous
 * queries run (rollupSelect). Used after an outage longer than `resample_for` (the writer calls
 * it by itself after replaying old spooled points; `pointwatch backfill-rollups` runs it by hand).
 *
 * The range is widened to whole hours (so both the 5-minute and the 1-hour buckets at its edges
 * are complete) and cut into chunks, one SELECT ... INTO per chunk, measurement and target, so a
 * month never becomes one huge query. Re-running is harmless: a rollup point is overwritten.
 * The daily rollup (made from the 1-hour one) runs last, over the range widened to whole UTC days,
 * in chunks of 31 days (a day of 1-hour points is small).
 */
import type { InfluxDB } from 'influx';
import { exec, type InfluxSettings } from './client.js';
import { ROLLED_MEASUREMENTS, rollupSelect, type RolledMeasurement, type RollupTarget } from './retention.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The daily chunks [from, to) a range is cut into: whole UTC days, `chunkDays` at a time (pure). */
export function backfillDayChunks(from: number, to: number, chunkDays = 31): { from: number; to: number }[] {
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) throw new Error(`backfill: empty or invalid range ${from}..${to}`);
  const a = Math.floor(from / DAY) * DAY;
  const b = Math.ceil(to / DAY) * DAY;
  const out: { from: number; to: number }[] = [];
  for (let t = a; t < b; t += chunkDays * DAY) out.push({ from: t, to: Math.min(t + chunkDays * DAY, b) });
  return out;
}

export interface BackfillOptions {
  /** Chunk length in ms (a multiple of 1 h; default 6 h). */
  chunkMs?: number;
  measurements?: RolledMeasurement[];
  targets?: RollupTarget[];
  onProgress?: (p: BackfillProgress) => void;
  signal?: AbortSignal;
}

export interface BackfillProgress {
  /** Statements run so far, and in all. */
  done: number;
  total: number;
  measurement: RolledMeasurement;
  target: RollupTarget;
  from: number;
  to: number;
  /** Rollup points written so far. */
  written: number;
}

export interface BackfillResult {
  from: number;
  to: number;
  statements: number;
  written: number;
}

/** The chunks [from, to) a range is cut into, aligned to whole hours (pure). */
export function backfillChunks(from: number, to: number, chunkMs = 6 * HOUR): { from: number; to: number }[] {
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) throw new Error(`backfill: empty or invalid range ${from}..${to}`);
  if (chunkMs < HOUR || chunkMs % HOUR !== 0) throw new Error('backfill: chunk must be a whole number of hours');
  const a = Math.floor(from / HOUR) * HOUR;
  const b = Math.ceil(to / HOUR) * HOUR;
  const out: { from: number; to: number }[] = [];
  for (let t = a; t < b; t += chunkMs) out.push({ from: t, to: Math.min(t + chunkMs, b) });
  return out;
}

export async function backfillRollups(influx: InfluxDB, cfg: InfluxSettings, range: { from: number; to: number }, opts: BackfillOptions = {}): Promise<BackfillResult> {
  const measurements = opts.measurements ?? ROLLED_MEASUREMENTS;
  const targets = opts.targets ?? (['5m', '1h', '1d'] as const);
  // 5m and 1h from raw in hour-aligned chunks, then 1d from the (now complete) 1h in day-aligned ones
  const fromRaw = targets.filter((t) => t !== '1d');
  const plan: Array<{ chunk: { from: number; to: number }; targets: readonly RollupTarget[] }> = [];
  if (fromRaw.length) for (const chunk of backfillChunks(range.from, range.to, opts.chunkMs)) plan.push({ chunk, targets: fromRaw });
  if (targets.includes('1d')) for (const chunk of backfillDayChunks(range.from, range.to)) plan.push({ chunk, targets: ['1d'] });
  if (!plan.length) throw new Error('backfill: no rollup target');
  const total = plan.reduce((n, p) => n + p.targets.length * measurements.length, 0);
  let done = 0;
  let written = 0;
  for (const { chunk: c, targets: ts } of plan) {
    for (const target of ts) {
      for (const m of measurements) {
        opts.signal?.throwIfAborted();
        const res = await exec(influx, rollupSelect(cfg.database, m, target, c));
        for (const s of res.results[0]?.series ?? []) {
          const i = s.columns.indexOf('written');
          for (const row of s.values ?? []) written += Number(row[i] ?? 0);
        }
        done += 1;
        opts.onProgress?.({ done, total, measurement: m, target, from: c.from, to: c.to, written });
      }
    }
  }
  return { from: Math.min(...plan.map((p) => p.chunk.from)), to: Math.max(...plan.map((p) => p.chunk.to)), statements: done, written };
}
