/**
 * `pointwatch backfill-rollups --from ISO --to ISO`: recompute the 5-minute, 1-hour and daily rollups of a
 * range from raw data (after an outage longer than `influx.retention.resample_for`), with the same
 * SELECT the continuous queries run. Chunked; progress on stderr. Safe to re-run.
 */
import type { Command } from 'commander';
import { InputError, RuntimeError, errorMessage } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { parseDuration } from '../core/duration.js';
import { createInflux } from '../store/client.js';
import { ensureSchema } from '../store/retention.js';
import { backfillChunks, backfillRollups, type BackfillProgress } from '../store/backfill.js';
import { withConfigOptions, loadFromCli, type ConfigOptions } from './options.js';

interface Opts extends ConfigOptions {
  from: string;
  to: string;
  chunk: string;
}

/** Parse an ISO 8601 instant given on the command line; a bare date means 00:00 UTC. */
export function parseInstant(option: string, value: string): number {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(t)) throw new InputError(`${option}: '${value}' is not an ISO 8601 date or time (e.g. 2026-11-20 or 2026-11-20T06:00:00Z)`);
  return t;
}

function iso(t: number): string {
  return new Date(t).toISOString().replace(':00.000Z', 'Z');
}

export function register(program: Command): void {
  withConfigOptions(
    program
      .command('backfill-rollups')
      .description('Recompute the 5-minute, 1-hour and daily rollups of a time range from raw data (after a long InfluxDB outage).')
      .requiredOption('--from <iso>', 'start, ISO 8601 (widened to the hour)')
      .requiredOption('--to <iso>', 'end, ISO 8601 (widened to the hour)')
      .option('--chunk <duration>', 'time per query (whole hours)', '6h'),
  ).action(async (opts: Opts) => {
    const from = parseInstant('--from', opts.from);
    const to = parseInstant('--to', opts.to);
    if (to <= from) throw new InputError(`--to (${opts.to}) must be after --from (${opts.from})`);
    let chunkMs: number;
    try {
      chunkMs = parseDuration(opts.chunk);
      backfillChunks(from, to, chunkMs);
    } catch (err) {
      throw new InputError(`--chunk: ${errorMessage(err)}`);
    }
    const cfg = await loadFromCli(opts);
    const influxCfg = cfg.settings.influx;
    const logger = createLogger({ level: cfg.settings.log_level === 'info' ? 'warn' : cfg.settings.log_level });
    const influx = createInflux(influxCfg);
    try {
      await ensureSchema(influx, influxCfg, logger);
    } catch (err) {
      throw new RuntimeError(`InfluxDB at ${influxCfg.url} (database ${influxCfg.database}): ${errorMessage(err)}`, { cause: err });
    }
    const tty = process.stderr.isTTY;
    const started = Date.now();
    const progress = (p: BackfillProgress) => {
      const line = `[${String(p.done).padStart(String(p.total).length)}/${p.total}] ${iso(p.from)} .. ${iso(p.to)} ${p.measurement} ${p.target}: ${p.written} rollup points written`;
      if (tty) process.stderr.write(`\r\x1b[K${line}`);
      else if (p.measurement === 'site_state' || p.done === p.total) process.stderr.write(`${line}\n`);
    };
    let res;
    try {
      res = await backfillRollups(influx, influxCfg, { from, to }, { chunkMs, onProgress: progress });
    } catch (err) {
      if (tty) process.stderr.write('\n');
      throw new RuntimeError(`backfill failed: ${errorMessage(err)}`, { cause: err });
    }
    if (tty) process.stderr.write('\n');
    process.stdout.write(
      `backfilled ${iso(res.from)} .. ${iso(res.to)}: ${res.statements} queries, ${res.written} rollup points written in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  });
}
