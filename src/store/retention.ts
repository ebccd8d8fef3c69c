/**
 * Retention policies and rollups, created idempotently at start.
 *
 *   raw        (DEFAULT RP) every point as written; `influx.retention.raw` (30d)
 *   rollup_5m  5-minute aggregates;                 `influx.retention.rollup_5m` (400d)
 *   rollup_1h  1-hour aggregates;                   `influx.retention.rollup_1h` (1825d)
 *   rollup_1d  daily aggregates (UTC days) of the 1-hour rollup; kept as long as rollup_1h, in shards
 *              of a year (DAILY_SHARD_DURATION): InfluxDB 1.x pays per series and shard, and a year's
 *              sums over 7-day shards (the default for long RPs) cost 6x more than over one shard
 *
 * Rollups are continuous queries `RESAMPLE EVERY <every> FOR <resample_for>`: each run recomputes
 * the whole `resample_for` window, so points replayed from the spool up to `resample_for` late are
 * still rolled up correctly. Older gaps: `pointwatch backfill-rollups` (src/store/backfill.ts), which
 * runs the SAME select (rollupSelect) with a time range.
 *
 * The 5m and 1h rollups are computed FROM RAW, not 1h from 5m: a mean of 5-minute means is only right
 * when every 5-minute bucket holds the same number of points, and a fast re-check or a missed check
 * breaks that. Raw is kept 30 days, far longer than resample_for, so the 1h rollup always has it.
 * The 1h CQ runs at most once an hour (its buckets only complete hourly).
 *
 * The daily rollup is computed from the 1-hour one (ROLLUPS_1D: sums of sums are exact, which is
 * what the coverage report reads; the `svc` tag survives GROUP BY *, so the service-hour split is
 * kept). Its CQ runs hourly over `1d + resample_for + 2h`, so a day is recomputed once more after
 * the last 1-hour bucket of that day is final (dailyFinalAfterMs).
 *
 * CQ names carry a hash of their definition (`pw_ping_5m_1a2b3c4d`): a changed definition
 * (fields in ROLLUPS, resample_for, every) gets a new name, the old CQ is dropped, the new created.
 */
import crypto from 'node:crypto';
import { escape, type InfluxDB } from 'influx';
import type { Logger } from '../core/logger.js';
import { parseDuration } from '../core/duration.js';
import { exec, type InfluxSettings } from './client.js';
import { ROLLUPS, ROLLUPS_1D, RP, RP_DAILY, type MeasurementName } from './schema.js';

export type RolledMeasurement = keyof typeof ROLLUPS;
export const ROLLED_MEASUREMENTS = Object.keys(ROLLUPS) as RolledMeasurement[];
export type RollupTarget = '5m' | '1h' | '1d';
/** Each rollup: its RP, bucket, and the RP it is computed from. */
export const ROLLUP_TARGETS: Record<RollupTarget, { rp: string; interval: string; ms: number; source: string }> = {
  '5m': { rp: RP.rollup_5m, interval: '5m', ms: 5 * 60_000, source: RP.raw },
  '1h': { rp: RP.rollup_1h, interval: '1h', ms: 3_600_000, source: RP.raw },
  '1d': { rp: RP_DAILY, interval: '1d', ms: 86_400_000, source: RP.rollup_1h },
};
const HOUR_MS = 3_600_000;
/** Shard group duration of rollup_1d (a year: a year's report reads one or two shards). */
export const DAILY_SHARD_DURATION = '365d';

/** DAILY_SHARD_DURATION, or the RP's duration when shorter (InfluxDB refuses a shard longer than the RP). */
export function dailyShardDuration(cfg: InfluxSettings): string {
  const keep = parseDuration(cfg.retention.rollup_1h);
  return keep > 0 && keep < parseDuration(DAILY_SHARD_DURATION) ? cfg.retention.rollup_1h : DAILY_SHARD_DURATION;
}

/** Milliseconds as an InfluxQL duration literal (`28h`, `1650m`, `90s`). */
function influxDuration(ms: number): string {
  if (ms % HOUR_MS === 0) return `${ms / HOUR_MS}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.ceil(ms / 1000)}s`;
}

/** How far back the daily CQ recomputes: a day, plus resample_for (the 1h CQ's window), plus 2 h (its lag). */
export function dailyResampleForMs(cfg: InfluxSettings): number {
  return 86_400_000 + parseDuration(cfg.retention.resample_for) + 2 * HOUR_MS;
}

/**
 * A daily bucket [d, d + 1 day) holds its final value once now >= d + this: after the daily CQ's
 * last run over it (the 1-hour buckets of that day being final by then).
 */
export function dailyFinalAfterMs(cfg: InfluxSettings): number {
  return dailyResampleForMs(cfg) + HOUR_MS;
}
export const CQ_PREFIX = 'pw_';

const q = (id: string) => escape.quoted(id);

function assertRolled(m: string): asserts m is RolledMeasurement {
  if (!Object.hasOwn(ROLLUPS, m)) throw new Error(`no rollup declared for measurement '${m}'`);
}

/**
 * THE rollup select, shared by the continuous queries and the backfill:
 * `SELECT mean("up") AS "up", ... INTO "db"."rollup_5m"."ping" FROM "db"."raw"."ping" [WHERE time range] GROUP BY time(5m), *`
 * Each field keeps its name in the rollup, aggregated as ROLLUPS says. `range` is [from, to) in epoch ms.
 */
export function rollupSelect(database: string, measurement: MeasurementName, target: RollupTarget, range?: { from: number; to: number }): string {
  assertRolled(measurement);
  const aggs = target === '1d'
    ? Object.entries(ROLLUPS_1D[measurement]).map(([name, a]) => `${a.fn}(${q(a.field)})${a.scale !== undefined ? ` * ${a.scale}` : ''} AS ${q(name)}`)
    : Object.entries(ROLLUPS[measurement]).map(([field, fn]) => `${fn}(${q(field)}) AS ${q(field)}`);
  const { rp, interval, source } = ROLLUP_TARGETS[target];
  let where = '';
  if (range) {
    if (!Number.isSafeInteger(range.from) || !Number.isSafeInteger(range.to) || range.to <= range.from) {
      throw new Error(`invalid rollup range ${range.from}..${range.to}`);
    }
    where = ` WHERE time >= ${range.from}ms AND time < ${range.to}ms`;
  }
  return `SELECT ${aggs.join(', ')} INTO ${q(database)}.${q(rp)}.${q(measurement)} FROM ${q(database)}.${q(source)}.${q(measurement)}${where} GROUP BY time(${interval}), *`;
}

export interface CqDefinition {
  name: string;
  measurement: RolledMeasurement;
  target: RollupTarget;
  statement: string;
}

export interface SchemaOptions {
  /**
   * RESAMPLE EVERY of the 5-minute CQs (default 30m; tests use 1s). The 1h CQs run every max(this, 1h).
   * Why not 5m: every run recomputes the whole `resample_for` window, and InfluxDB 1.x pays per series
   * and bucket (measured: ~10 s for one hour of 1,000 sites' pings on a loaded 2-core machine).
   * Rollups are only read for spans over 2 days (recent views read raw), where 30 min of lag is invisible.
   */
  cqEvery?: string;
}

/** The CQs pointwatch wants for these settings (pure). */
export function continuousQueries(cfg: InfluxSettings, opts: SchemaOptions = {}): CqDefinition[] {
  const every5 = opts.cqEvery ?? '30m';
  const everyMs = parseDuration(every5);
  const forText = cfg.retention.resample_for;
  const out: CqDefinition[] = [];
  for (const m of ROLLED_MEASUREMENTS) {
    for (const target of ['5m', '1h', '1d'] as const) {
      const every = target !== '5m' && everyMs < 3_600_000 ? '1h' : every5;
      // FOR must cover at least one bucket; the daily one covers the last day once its 1h buckets are final.
      const forD = target === '1d' ? influxDuration(dailyResampleForMs(cfg))
        : parseDuration(forText) < ROLLUP_TARGETS[target].ms ? ROLLUP_TARGETS[target].interval : forText;
      const body = `RESAMPLE EVERY ${every} FOR ${forD} BEGIN ${rollupSelect(cfg.database, m, target)} END`;
      const hash = crypto.createHash('sha256').update(body).digest('hex').slice(0, 8);
      const name = `${CQ_PREFIX}${m}_${target}_${hash}`;
      out.push({ name, measurement: m, target, statement: `CREATE CONTINUOUS QUERY ${q(name)} ON ${q(cfg.database)} ${body}` });
    }
  }
  return out;
}

/** Milliseconds in a Go duration as InfluxDB prints it (`720h0m0s`, `0s` = infinite). */
export function parseGoDuration(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, 'µs': 1e-3, ns: 1e-6 };
  let total = 0;
  let rest = text.trim();
  if (!rest) throw new Error('empty duration');
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/.exec(rest);
    if (!m) throw new Error(`invalid Go duration '${text}'`);
    total += Number(m[1]) * units[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

export interface SchemaChanges {
  created_policies: string[];
  altered_policies: string[];
  created_cqs: string[];
  dropped_cqs: string[];
}

/**
 * Create the database, the four RPs (raw = DEFAULT) and the rollup CQs; ALTER an RP whose duration
 * changed; replace a CQ whose definition changed. Safe to run at every start (and concurrently
 * with writes). Returns what it changed.
 */
export async function ensureSchema(influx: InfluxDB, cfg: InfluxSettings, logger: Logger, opts: SchemaOptions = {}): Promise<SchemaChanges> {
  const log = logger.child({ component: 'store.schema' });
  const db = cfg.database;
  const changes: SchemaChanges = { created_policies: [], altered_policies: [], created_cqs: [], dropped_cqs: [] };
  await exec(influx, `CREATE DATABASE ${q(db)}`);

  const wanted: Array<{ name: string; duration: string; isDefault: boolean; shard?: string }> = [
    { name: RP.raw, duration: cfg.retention.raw, isDefault: true },
    { name: RP.rollup_5m, duration: cfg.retention.rollup_5m, isDefault: false },
    { name: RP.rollup_1h, duration: cfg.retention.rollup_1h, isDefault: false },
    { name: RP_DAILY, duration: cfg.retention.rollup_1h, isDefault: false, shard: dailyShardDuration(cfg) },
  ];
  const rps = await exec(influx, `SHOW RETENTION POLICIES ON ${q(db)}`);
  const rpSeries = rps.results[0]?.series?.[0];
  const col = (row: unknown[], c: string) => row[rpSeries?.columns.indexOf(c) ?? -1];
  const existing = (rpSeries?.values ?? []).map((r) => ({
    name: String(col(r, 'name')), duration: String(col(r, 'duration')), shard: String(col(r, 'shardGroupDuration')), default: col(r, 'default') === true,
  }));
  for (const w of wanted) {
    const cur = existing.find((p) => p.name === w.name);
    const stmt = `RETENTION POLICY ${q(w.name)} ON ${q(db)} DURATION ${w.duration} REPLICATION 1${w.shard ? ` SHARD DURATION ${w.shard}` : ''}${w.isDefault ? ' DEFAULT' : ''}`;
    if (!cur) {
      await exec(influx, `CREATE ${stmt}`);
      changes.created_policies.push(w.name);
      log.info({ rp: w.name, duration: w.duration }, 'retention policy created');
    } else if (parseGoDuration(cur.duration) !== parseDuration(w.duration) || (w.isDefault && !cur.default) ||
      (w.shard !== undefined && parseGoDuration(cur.shard) !== parseDuration(w.shard))) {
      await exec(influx, `ALTER ${stmt}`);
      changes.altered_policies.push(w.name);
      log.info({ rp: w.name, from: cur.duration, to: w.duration }, 'retention policy altered');
    }
  }

  const desired = continuousQueries(cfg, opts);
  const cqs = await exec(influx, 'SHOW CONTINUOUS QUERIES');
  const present = (cqs.results[0]?.series ?? []).find((s) => s.name === db)?.values?.map((v) => String(v[0])) ?? [];
  for (const name of present) {
    if (name.startsWith(CQ_PREFIX) && !desired.some((d) => d.name === name)) {
      await exec(influx, `DROP CONTINUOUS QUERY ${q(name)} ON ${q(db)}`);
      changes.dropped_cqs.push(name);
      log.info({ cq: name }, 'continuous query dropped (definition changed)');
    }
  }
  for (const d of desired) {
    if (!present.includes(d.name)) {
      try {
        await exec(influx, d.statement);
      } catch (err) {
        // Another pointwatch process (a shard) created it between our SHOW and CREATE: same name, same definition.
        if (/already exists/.test(String(err))) continue;
        throw err;
      }
      changes.created_cqs.push(d.name);
      log.info({ cq: d.name }, 'continuous query created');
    }
  }
  return changes;
}
