/**
 * Retention policies and rollups, created idempotently at start.
 *
 *   raw        (DEFAULT RP) every point as written; `influx.retention.raw` (30d)
 *   rollup_5m  5-minute aggregates;                 `influx.retention.rollup_5m` (400d)
 *   rollup_1h  1-hour aggregates;                   `influx.retention.rollup_1h` (1825d)
 *
 * Rollups are continuous queries `RESAMPLE EVERY <every> FOR <resample_for>`: each run recomputes
 * the whole `resample_for` window, so points replayed from the spool up to `resample_for` late are
 * still rolled up correctly. Older gaps: `pointwatch backfill-rollups` (src/store/backfill.ts), which
 * runs the SAME select (rollupSelect) with a time range.
 *
 * Both rollups are computed FROM RAW, not 1h from 5m: a mean of 5-minute means is only right when
 * every 5-minute bucket holds the same number of points, and a fast re-check or a missed check
 * breaks that. Raw is kept 30 days, far longer than resample_for, so the 1h rollup always has it.
 * The 1h CQ runs at most once an hour (its buckets only complete hourly).
 *
 * CQ names carry a hash of their definition (`pw_ping_5m_1a2b3c4d`): a changed definition
 * (fields in ROLLUPS, resample_for, every) gets a new name, the old CQ is dropped, the new created.
 */
import crypto from 'node:crypto';
import { escape, type InfluxDB } from 'influx';
import type { Logger } from '../core/logger.js';
import { parseDuration } from '../core/duration.js';
import { exec, type InfluxSettings } from './client.js';
import { ROLLUPS, RP, type MeasurementName } from './schema.js';

export type RolledMeasurement = keyof typeof ROLLUPS;
export const ROLLED_MEASUREMENTS = Object.keys(ROLLUPS) as RolledMeasurement[];
export type RollupTarget = '5m' | '1h';
export const ROLLUP_TARGETS: Record<RollupTarget, { rp: string; interval: string; ms: number }> = {
  '5m': { rp: RP.rollup_5m, interval: '5m', ms: 5 * 60_000 },
  '1h': { rp: RP.rollup_1h, interval: '1h', ms: 3_600_000 },
};
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
  const aggs = Object.entries(ROLLUPS[measurement]).map(([field, fn]) => `${fn}(${q(field)}) AS ${q(field)}`);
  const { rp, interval } = ROLLUP_TARGETS[target];
  let where = '';
  if (range) {
    if (!Number.isSafeInteger(range.from) || !Number.isSafeInteger(range.to) || range.to <= range.from) {
      throw new Error(`invalid rollup range ${range.from}..${range.to}`);
    }
    where = ` WHERE time >= ${range.from}ms AND time < ${range.to}ms`;
  }
  return `SELECT ${aggs.join(', ')} INTO ${q(database)}.${q(rp)}.${q(measurement)} FROM ${q(database)}.${q(RP.raw)}.${q(measurement)}${where} GROUP BY time(${interval}), *`;
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
    for (const target of ['5m', '1h'] as const) {
      const every = target === '1h' && everyMs < 3_600_000 ? '1h' : every5;
      // FOR must cover at least one bucket.
      const forD = parseDuration(forText) < ROLLUP_TARGETS[target].ms ? ROLLUP_TARGETS[target].interval : forText;
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
 * Create the database, the three RPs (raw = DEFAULT) and the rollup CQs; ALTER an RP whose duration
 * changed; replace a CQ whose definition changed. Safe to run at every start (and concurrently
 * with writes). Returns what it changed.
 */
export async function ensureSchema(influx: InfluxDB, cfg: InfluxSettings, logger: Logger, opts: SchemaOptions = {}): Promise<SchemaChanges> {
  const log = logger.child({ component: 'store.schema' });
  const db = cfg.database;
  const changes: SchemaChanges = { created_policies: [], altered_policies: [], created_cqs: [], dropped_cqs: [] };
  await exec(influx, `CREATE DATABASE ${q(db)}`);

  const wanted = [
    { name: RP.raw, duration: cfg.retention.raw, isDefault: true },
    { name: RP.rollup_5m, duration: cfg.retention.rollup_5m, isDefault: false },
    { name: RP.rollup_1h, duration: cfg.retention.rollup_1h, isDefault: false },
  ];
  const rps = await exec(influx, `SHOW RETENTION POLICIES ON ${q(db)}`);
  const rpSeries = rps.results[0]?.series?.[0];
  const col = (row: unknown[], c: string) => row[rpSeries?.columns.indexOf(c) ?? -1];
  const existing = (rpSeries?.values ?? []).map((r) => ({ name: String(col(r, 'name')), duration: String(col(r, 'duration')), default: col(r, 'default') === true }));
  for (const w of wanted) {
    const cur = existing.find((p) => p.name === w.name);
    const stmt = `RETENTION POLICY ${q(w.name)} ON ${q(db)} DURATION ${w.duration} REPLICATION 1${w.isDefault ? ' DEFAULT' : ''}`;
    if (!cur) {
      await exec(influx, `CREATE ${stmt}`);
      changes.created_policies.push(w.name);
      log.info({ rp: w.name, duration: w.duration }, 'retention policy created');
    } else if (parseGoDuration(cur.duration) !== parseDuration(w.duration) || (w.isDefault && !cur.default)) {
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
