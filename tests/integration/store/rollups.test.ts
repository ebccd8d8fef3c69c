/**
 * Retention policies and rollups against a real influxd: ensureSchema idempotent and updating,
 * backfilled rollups equal to aggregates computed here from the raw points, and the continuous
 * queries (run-interval 1 s) producing the same.
 */
import fs from 'node:fs';
import type { InfluxDB } from 'influx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import { createInflux, exec } from '../../../src/store/client.js';
import { ensureSchema, continuousQueries } from '../../../src/store/retention.js';
import { backfillRollups } from '../../../src/store/backfill.js';
import { createReader } from '../../../src/store/reader.js';
import { createWriter } from '../../../src/store/writer.js';
import { statePoint, type Point } from '../../../src/store/points.js';
import { ROLLUPS, SITE_STATES } from '../../../src/store/schema.js';
import { siteTags } from '../../../src/store/points.js';
import { captureLogger, rng, testSettings, testSites, tmpDir, waitFor } from './util.js';

let influxd: Influxd;
const dirs: string[] = [];
beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  await influxd?.destroy();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const HOUR = 3_600_000;
const sites = testSites(3);

/**
 * Raw ping + site_state points every 30 s over [from, to), with irregularities that break naive
 * rollups: fast re-checks 3 s after some checks (more points in some buckets), missed checks, nulls.
 */
function rawPoints(from: number, to: number, seed: number): Point[] {
  const r = rng(seed);
  const out: Point[] = [];
  for (let t = from; t < to; t += 30_000) {
    for (const site of sites) {
      if (r() < 0.05) continue; // missed check
      const stamps = r() < 0.1 ? [t, t + 3000] : [t];
      for (const ts of stamps) {
        const lost = r() < 0.15;
        const rtt = 2 + r() * 50;
        const fields: Point['fields'] = { up: lost ? 0 : 1, sent: 3, received: lost ? 0 : 3, loss_pct: lost ? 100 : Math.round(r() * 3) * 33.3 };
        if (!lost) Object.assign(fields, { rtt_min_ms: rtt - r(), rtt_avg_ms: rtt, rtt_max_ms: rtt + r() * 10, jitter_ms: r() });
        out.push({ measurement: 'ping', tags: siteTags(site), fields, timestamp: ts });
        const state = lost ? 'DOWN' : SITE_STATES[Math.floor(r() * 2) * 3]!; // UP or DEGRADED
        out.push(statePoint(site, ts, state, ts === t ? 30 : 3));
      }
    }
  }
  return out;
}

type Agg = 'mean' | 'max' | 'min' | 'sum' | 'last';
function aggregate(values: number[], fn: Agg): number {
  if (fn === 'sum') return values.reduce((a, b) => a + b, 0);
  if (fn === 'mean') return values.reduce((a, b) => a + b, 0) / values.length;
  if (fn === 'max') return Math.max(...values);
  if (fn === 'min') return Math.min(...values);
  return values[values.length - 1]!;
}

/** Expected rollup rows computed here, independently of InfluxDB: key `${site}|${bucketStart}`. */
function expectedRollup(points: Point[], measurement: 'ping' | 'site_state', bucketMs: number): Map<string, Record<string, number>> {
  const groups = new Map<string, Point[]>();
  for (const p of points.filter((x) => x.measurement === measurement)) {
    const key = `${p.tags.site}|${Math.floor(p.timestamp / bucketMs) * bucketMs}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const out = new Map<string, Record<string, number>>();
  for (const [key, pts] of groups) {
    const row: Record<string, number> = {};
    for (const [field, fn] of Object.entries(ROLLUPS[measurement])) {
      const vals = pts.map((p) => p.fields[field]).filter((v): v is number => typeof v === 'number');
      if (vals.length) row[field] = aggregate(vals, fn);
    }
    out.set(key, row);
  }
  return out;
}

async function readRollup(influx: InfluxDB, db: string, rp: string, measurement: string): Promise<Map<string, Record<string, number>>> {
  const res = await exec(influx, `SELECT * FROM "${db}"."${rp}"."${measurement}" GROUP BY "site"`, { database: db });
  const out = new Map<string, Record<string, number>>();
  for (const s of res.results[0]?.series ?? []) {
    for (const v of s.values ?? []) {
      const row: Record<string, number> = {};
      let ts = 0;
      s.columns.forEach((c, i) => {
        if (c === 'time') ts = Date.parse(String(v[i]));
        else if (typeof v[i] === 'number') row[c] = v[i] as number;
      });
      out.set(`${s.tags!.site}|${ts}`, row);
    }
  }
  return out;
}

function expectRollupsEqual(actual: Map<string, Record<string, number>>, expected: Map<string, Record<string, number>>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, exp] of expected) {
    const act = actual.get(key)!;
    expect(Object.keys(act).sort(), key).toEqual(Object.keys(exp).sort());
    for (const [f, v] of Object.entries(exp)) expect(act[f], `${key} ${f}`).toBeCloseTo(v, 6);
  }
}

async function writeAll(settings: ReturnType<typeof testSettings>, points: Point[], schema: { cqEvery?: string } = {}): Promise<void> {
  const dataDir = tmpDir('rollup');
  dirs.push(dataDir);
  const w = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir, logger: captureLogger().logger, strict: true, ensureSchema: schema });
  w.write(points);
  await w.flush();
  expect(w.stats()).toMatchObject({ written: points.length, spooled: 0 });
  await w.close();
}

describe('ensureSchema', () => {
  it('is idempotent, ALTERs a changed duration and replaces CQs whose definition changed', async () => {
    const cap = captureLogger();
    const s1 = testSettings(influxd.url, 'rp_test');
    const influx = createInflux(s1.influx);
    const first = await ensureSchema(influx, s1.influx, cap.logger);
    expect(first.created_policies).toEqual(['raw', 'rollup_5m', 'rollup_1h', 'rollup_1d']);
    expect(first.created_cqs).toHaveLength(12);
    expect(await ensureSchema(influx, s1.influx, cap.logger)).toEqual({ created_policies: [], altered_policies: [], created_cqs: [], dropped_cqs: [] });

    const rps = async () => (await exec(influx, 'SHOW RETENTION POLICIES ON "rp_test"')).results[0]!.series![0]!.values!.map((v) => [v[0], v[1], v[4]]);
    expect(await rps()).toEqual(expect.arrayContaining([['raw', '720h0m0s', true], ['rollup_5m', '9600h0m0s', false], ['rollup_1h', '43800h0m0s', false]]));

    const s2 = testSettings(influxd.url, 'rp_test', { influx: { retention: { ...s1.influx.retention, raw: '45d', resample_for: '6h' } } });
    const second = await ensureSchema(influx, s2.influx, cap.logger);
    expect(second.altered_policies).toEqual(['raw']);
    expect(second.created_policies).toEqual([]);
    expect(second.dropped_cqs.sort()).toEqual(first.created_cqs.slice().sort());
    expect(second.created_cqs.sort()).toEqual(continuousQueries(s2.influx).map((c) => c.name).sort());
    expect(await rps()).toEqual(expect.arrayContaining([['raw', '1080h0m0s', true]]));
    const cqs = (await exec(influx, 'SHOW CONTINUOUS QUERIES')).results[0]!.series!.find((s) => s.name === 'rp_test')!.values!;
    expect(cqs.map((v) => v[0]).sort()).toEqual(second.created_cqs.slice().sort());
    expect(String(cqs[0]![1])).toMatch(/RESAMPLE EVERY \S+ FOR 6h/);
    expect(cap.messages()).toContain('retention policy altered');
  });
});

describe('rollups', () => {
  it('backfill: 5-minute and 1-hour rollups equal aggregates of the raw points (re-checks, gaps, nulls)', async () => {
    const settings = testSettings(influxd.url, 'rollup_backfill');
    const T0 = Math.floor((Date.now() - 4 * HOUR) / HOUR) * HOUR;
    const points = rawPoints(T0, T0 + 3 * HOUR, 11);
    await writeAll(settings, points);
    const influx = createInflux(settings.influx);
    const progress: number[] = [];
    const res = await backfillRollups(influx, settings.influx, { from: T0 + 10 * 60_000, to: T0 + 3 * HOUR - 1 }, { chunkMs: HOUR, onProgress: (p) => progress.push(p.done) });
    // 3 hourly chunks × (5m, 1h) × 4 measurements, then the daily rollup over the UTC day(s) (one chunk × 4)
    const DAY = 24 * HOUR;
    expect(res).toMatchObject({ from: Math.floor(T0 / DAY) * DAY, to: Math.ceil((T0 + 3 * HOUR) / DAY) * DAY, statements: 3 * 2 * 4 + 4 });
    expect(progress).toEqual(Array.from({ length: 28 }, (_, i) => i + 1));
    for (const m of ['ping', 'site_state'] as const) {
      expectRollupsEqual(await readRollup(influx, 'rollup_backfill', 'rollup_5m', m), expectedRollup(points, m, 5 * 60_000));
      expectRollupsEqual(await readRollup(influx, 'rollup_backfill', 'rollup_1h', m), expectedRollup(points, m, HOUR));
    }
    // The reader picks the rollups for long spans and reads them with the same field names.
    const reader = createReader(influx, settings.influx);
    const long = await reader.siteHistory('site-001', T0 - 3 * 24 * HOUR, T0 + 3 * HOUR, 'ping');
    expect(long.source.rp).toBe('rollup_5m');
    const exp5 = [...expectedRollup(points, 'ping', 5 * 60_000)].filter(([key]) => key.startsWith('site-001|'));
    expect(long.series[0]!.rows.map((r) => r.ts)).toEqual(exp5.map(([key]) => Number(key.split('|')[1])));
    long.series[0]!.rows.forEach((r, i) => expect(r.loss_pct).toBeCloseTo(exp5[i]![1].loss_pct!, 6));
    const quarter = await reader.availabilityBySite(T0 - 90 * 24 * HOUR, T0 + 3 * HOUR);
    expect(quarter[0]!.source.rp).toBe('rollup_1h');
    const rawStates = points.filter((p) => p.measurement === 'site_state' && p.tags.site === 'site-000');
    expect(quarter.find((a) => a.site === 'site-000')!.checks).toMatchObject({
      up: rawStates.filter((p) => p.fields.up === 1).length,
      down: rawStates.filter((p) => p.fields.down === 1).length,
      total: rawStates.length,
    });
    const hourly = await reader.stateBuckets(T0 - 90 * 24 * HOUR, T0 + 3 * HOUR, '1h', { site: 'site-000' });
    expect(hourly.map((b) => b.ts)).toEqual([T0, T0 + HOUR, T0 + 2 * HOUR]);
    expect(hourly.reduce((n, b) => n + b.checked_s, 0)).toBeCloseTo(rawStates.reduce((n, p) => n + (p.fields.checked_s as number), 0), 6);

    // 1h from raw, not from 5m: with re-checks the mean of 5-minute means differs from the true mean.
    const five = expectedRollup(points, 'ping', 5 * 60_000);
    const hour = expectedRollup(points, 'ping', HOUR);
    const k = `site-000|${T0}`;
    const meanOfMeans = [...five].filter(([key]) => key.startsWith('site-000|') && Number(key.split('|')[1]) < T0 + HOUR).map(([, v]) => v.loss_pct!);
    expect(Math.abs(meanOfMeans.reduce((a, b) => a + b, 0) / meanOfMeans.length - hour.get(k)!.loss_pct!)).toBeGreaterThan(1e-6);
  });

  it('continuous queries (run-interval 1 s) produce the same 5-minute rollups', async () => {
    const settings = testSettings(influxd.url, 'rollup_cq', { influx: { retention: { raw: '30d', rollup_5m: '400d', rollup_1h: '1825d', resample_for: '1h' } } });
    const end = Math.floor(Date.now() / 300_000) * 300_000; // whole buckets only: the CQ computes completed intervals
    const points = rawPoints(end - 30 * 60_000, end, 5);
    await writeAll(settings, points, { cqEvery: '1s' });
    const influx = createInflux(settings.influx);
    const expected = expectedRollup(points, 'ping', 5 * 60_000);
    // The CQ may run between two batches: wait until a run has seen them all (or time out and show the diff).
    const settled = async () => {
      try {
        expectRollupsEqual(await readRollup(influx, 'rollup_cq', 'rollup_5m', 'ping'), expected);
        // each measurement has its own CQ: wait for both, not only the first
        expectRollupsEqual(await readRollup(influx, 'rollup_cq', 'rollup_5m', 'site_state'), expectedRollup(points, 'site_state', 5 * 60_000));
        return true;
      } catch {
        return false;
      }
    };
    await waitFor('CQ rollups', settled, 20_000, 250).catch(() => undefined);
    expectRollupsEqual(await readRollup(influx, 'rollup_cq', 'rollup_5m', 'ping'), expected);
    expectRollupsEqual(await readRollup(influx, 'rollup_cq', 'rollup_5m', 'site_state'), expectedRollup(points, 'site_state', 5 * 60_000));
  });
});
