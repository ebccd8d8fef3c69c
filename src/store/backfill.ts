/**
 * Recompute the rollups of a time range from raw data, with the SAME select the continuous
 * queries run (rollupSelect). Used after an outage longer than `resample_for` (the writer calls
 * it by itself after replaying old spooled points; `pointwatch backfill-rollups` runs it by hand).
 *
 * The range is widened to whole hours (so both the 5-minute and the 1-hour buckets at its edges
 * are complete) and cut into chunks, one SELECT ... INTO per chunk, measurement and target, so a
 * month never becomes one huge query. Re-running is harmless: a rollup point is overwritten.
 */
import type { InfluxDB } from 'influx';
import { exec, type InfluxSettings } from './client.js';
import { ROLLED_MEASUREMENTS, rollupSelect, type RolledMeasurement, type RollupTarget } from './retention.js';

const HOUR = 3_600_000;

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
  const chunks = backfillChunks(range.from, range.to, opts.chunkMs);
  const measurements = opts.measurements ?? ROLLED_MEASUREMENTS;
  const targets = opts.targets ?? (['5m', '1h'] as const);
  const total = chunks.length * measurements.length * targets.length;
  let done = 0;
  let written = 0;
  for (const c of chunks) {
    for (const target of targets) {
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
  return { from: chunks[0]!.from, to: chunks[chunks.length - 1]!.to, statements: done, written };
}
