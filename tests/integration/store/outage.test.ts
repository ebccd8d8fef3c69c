/**
 * Faults against a real influxd:
 * - influxd killed (SIGKILL) for a while and started again: the writer keeps accepting points
 *   (spooled), then every point is present and the rollups over the outage are correct.
 * - a writer process killed with kill -9 mid-write: nothing it acknowledged (flush resolved) is lost.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import { freeTcpPort } from '../../helpers/ports.js';
import { createInflux, exec } from '../../../src/store/client.js';
import { createWriter } from '../../../src/store/writer.js';
import { Spool } from '../../../src/store/spool.js';
import { siteTags, statePoint, type Point } from '../../../src/store/points.js';
import { ROLLUPS } from '../../../src/store/schema.js';
import { captureLogger, rng, testSettings, testSites, tmpDir, waitFor } from './util.js';

const HOUR = 3_600_000;
let influxd: Influxd;
const dirs: string[] = [];
beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  await influxd?.destroy();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const sites = testSites(3);

function tick(ts: number, r: () => number): Point[] {
  return sites.flatMap((site) => {
    const lost = r() < 0.2;
    const rtt = 3 + r() * 40;
    return [
      { measurement: 'ping' as const, tags: siteTags(site), fields: lost ? { up: 0, sent: 3, received: 0, loss_pct: 100 } : { up: 1, sent: 3, received: 3, loss_pct: 0, rtt_avg_ms: rtt, rtt_min_ms: rtt - 1, rtt_max_ms: rtt + 2, jitter_ms: r() }, timestamp: ts },
      statePoint(site, ts, lost ? 'DOWN' : 'UP', 30),
    ];
  });
}

/** Aggregate like ROLLUPS says, per site and bucket, for points in [from, to). */
function expected(points: Point[], m: 'ping' | 'site_state', bucket: number, from: number, to: number): Map<string, Record<string, number>> {
  const groups = new Map<string, Point[]>();
  for (const p of points) {
    if (p.measurement !== m || p.timestamp < from || p.timestamp >= to) continue;
    const k = `${p.tags.site}|${Math.floor(p.timestamp / bucket) * bucket}`;
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  const out = new Map<string, Record<string, number>>();
  for (const [k, pts] of groups) {
    const row: Record<string, number> = {};
    for (const [f, fn] of Object.entries(ROLLUPS[m])) {
      const v = pts.map((p) => p.fields[f]).filter((x): x is number => typeof x === 'number');
      if (!v.length) continue;
      row[f] = fn === 'sum' ? v.reduce((a, b) => a + b, 0) : fn === 'mean' ? v.reduce((a, b) => a + b, 0) / v.length : fn === 'max' ? Math.max(...v) : fn === 'min' ? Math.min(...v) : v[v.length - 1]!;
    }
    out.set(k, row);
  }
  return out;
}

describe('influxd down for a while', () => {
  it('keeps accepting points, then every point is present and the outage rollups are correct', async () => {
    const settings = testSettings(influxd.url, 'outage', { influx: { batch_size: 200, retention: { raw: '30d', rollup_5m: '400d', rollup_1h: '1825d', resample_for: '1h' } }, spool: { replay_points_per_s: 20_000 } });
    const dataDir = tmpDir('outage');
    dirs.push(dataDir);
    const cap = captureLogger();
    const writer = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir, logger: cap.logger, strict: true, ensureSchema: { cqEvery: '1s' } });
    const r = rng(3);
    const T0 = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
    const all: Point[] = [];
    const phase = async (from: number) => {
      for (let t = from; t < from + HOUR; t += 30_000) {
        const pts = tick(t, r);
        all.push(...pts);
        writer.write(pts); // synchronous: never waits for InfluxDB
        if ((t / 30_000) % 20 === 0) await new Promise((res) => setTimeout(res, 5));
      }
      await writer.flush();
    };

    await phase(T0); // live
    expect(writer.stats()).toMatchObject({ spooled: 0, influx_up: true });
    await influxd.kill();
    await phase(T0 + HOUR); // InfluxDB gone: everything spooled
    const during = writer.stats();
    expect(during.influx_up).toBe(false);
    expect(during.spooled).toBe(720);
    expect(during.spool.points).toBe(720);
    expect(during.dropped).toBe(0);
    await new Promise((res) => setTimeout(res, 1500)); // stay down a while: the replay loop probes and backs off
    await influxd.restart();
    await phase(T0 + 2 * HOUR); // live again (some may still be spooled until the probe sees it back)
    await waitFor('spool drained', () => writer.stats().spool.points === 0 && writer.stats().influx_up, 30_000);
    await waitFor('backfill after replay', () => cap.messages().includes('rollups backfilled after replay'), 30_000);
    const st = writer.stats();
    expect(st.written + st.replayed).toBe(all.length);
    expect(st).toMatchObject({ dropped: 0, rejected: 0 });
    expect(cap.messages()).toEqual(expect.arrayContaining(['InfluxDB unavailable: spooling points to disk', 'InfluxDB is back: replaying the spool', 'spool replay finished']));
    await writer.close();

    // Every point present, values intact (compared in time order).
    const influx = createInflux(settings.influx);
    for (const m of ['ping', 'site_state'] as const) {
      const res = await exec(influx, `SELECT * FROM "outage"."raw"."${m}" WHERE time >= ${T0}ms GROUP BY "site"`, { database: 'outage' });
      const got = (res.results[0]!.series ?? []).flatMap((s) => (s.values ?? []).map((v) => `${s.tags!.site}|${Date.parse(String(v[0]))}|${JSON.stringify(v[s.columns.indexOf(m === 'ping' ? 'rtt_avg_ms' : 'state')])}`));
      const want = all.filter((p) => p.measurement === m).map((p) => `${p.tags.site}|${p.timestamp}|${JSON.stringify(p.fields[m === 'ping' ? 'rtt_avg_ms' : 'state'] ?? null)}`);
      const key = (s: string) => { const [site, ts] = s.split('|'); return `${ts!.padStart(15, '0')}${site}`; };
      expect(got.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(want.sort((a, b) => key(a).localeCompare(key(b))));
    }

    // Rollups over the outage hour: points arrived > resample_for late, the backfill made them right.
    for (const [rp, bucket] of [['rollup_5m', 300_000], ['rollup_1h', HOUR]] as const) {
      for (const m of ['ping', 'site_state'] as const) {
        const res = await exec(influx, `SELECT * FROM "outage"."${rp}"."${m}" WHERE time >= ${T0 + HOUR}ms AND time < ${T0 + 2 * HOUR}ms GROUP BY "site"`, { database: 'outage' });
        const got = new Map<string, Record<string, number>>();
        for (const s of res.results[0]!.series ?? []) {
          for (const v of s.values ?? []) {
            const row: Record<string, number> = {};
            s.columns.forEach((c, i) => { if (c !== 'time' && typeof v[i] === 'number') row[c] = v[i] as number; });
            got.set(`${s.tags!.site}|${Date.parse(String(v[0]))}`, row);
          }
        }
        const want = expected(all, m, bucket, T0 + HOUR, T0 + 2 * HOUR);
        expect([...got.keys()].sort(), `${rp}.${m}`).toEqual([...want.keys()].sort());
        for (const [k, w] of want) for (const [f, v] of Object.entries(w)) expect(got.get(k)![f], `${rp}.${m} ${k} ${f}`).toBeCloseTo(v, 6);
      }
    }
  });
});

describe('replay', () => {
  it('runs at the configured rate while live points go straight to InfluxDB', async () => {
    const dataDir = tmpDir('rate');
    dirs.push(dataDir);
    const settings = testSettings(influxd.url, 'replayrate', { influx: { batch_size: 100 }, spool: { replay_points_per_s: 300 } });
    const base = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
    const [site] = testSites(1);
    // A spool left by a previous run: 900 points in records of 100.
    const spool = Spool.open({ dir: path.join(dataDir, 'spool'), maxBytes: 1 << 24, warnRatio: 0.9, logger: captureLogger().logger });
    for (let i = 0; i < 900; i += 100) spool.append(Array.from({ length: 100 }, (_, k) => statePoint(site!, base + i + k, 'UP', 30)));
    spool.close();

    const t0 = Date.now();
    const writer = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir, logger: captureLogger().logger, strict: true });
    await waitFor('replay started', () => writer.stats().replayed > 0, 10_000, 10);
    writer.write([statePoint(site!, base + 10_000, 'DOWN', 30)]); // live, during the replay
    await writer.flush();
    const mid = writer.stats();
    expect(mid.written).toBe(1); // not queued behind the backlog
    expect(mid.spool.points).toBeGreaterThan(0);
    await waitFor('replay done', () => writer.stats().spool.points === 0, 30_000, 20);
    const seconds = (Date.now() - t0) / 1000;
    // 900 points at 300/s: at least ~2 s (a lower bound only: a slow machine is slower, never faster).
    expect(seconds).toBeGreaterThanOrEqual(2);
    expect(writer.stats().replayed).toBe(900);
    await writer.close();
  });
});

describe('kill -9 of a writer process', () => {
  it('loses nothing it acknowledged to the spool', async () => {
    const dataDir = tmpDir('kill9');
    dirs.push(dataDir);
    const deadPort = await freeTcpPort(); // nothing listens: every batch is spooled
    const base = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'spool-child.ts'), dataDir, `http://127.0.0.1:${deadPort}`, String(base)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    let acked = 0;
    const rl = readline.createInterface({ input: child.stdout });
    rl.on('line', (l) => {
      const m = /^acked (\d+)$/.exec(l);
      if (m) acked = Number(m[1]);
    });
    const exited = new Promise<NodeJS.Signals | null>((res) => child.once('exit', (_c, sig) => res(sig)));
    await waitFor(`child acks (stderr: ${stderr})`, () => acked >= 3000, 30_000, 5);
    await new Promise((res) => setTimeout(res, 7 + Math.random() * 20)); // somewhere mid-write
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const ackedAtKill = acked; // every line read before the kill; no line can arrive after it
    rl.close();

    const settings = testSettings(influxd.url, 'killtest', { spool: { replay_points_per_s: 100_000 } });
    const cap = captureLogger();
    const writer = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir, logger: cap.logger, strict: true });
    expect(writer.stats().spool.points).toBeGreaterThanOrEqual(ackedAtKill);
    await waitFor('replay', () => writer.stats().spool.points === 0, 30_000);
    await writer.close();
    const influx = createInflux(settings.influx);
    const res = await exec(influx, `SELECT count("rtt_avg_ms") FROM "killtest"."raw"."ping" WHERE time >= ${base}ms AND time < ${base + ackedAtKill}ms`, { database: 'killtest' });
    expect(res.results[0]!.series![0]!.values![0]![1]).toBe(ackedAtKill);
    const total = await exec(influx, `SELECT count("rtt_avg_ms") FROM "killtest"."raw"."ping"`, { database: 'killtest' });
    // Anything beyond the acknowledged points was spooled but not yet announced; never less.
    expect(Number(total.results[0]!.series![0]!.values![0]![1])).toBeGreaterThanOrEqual(ackedAtKill);
    expect(writer.stats().replayed).toBe(Number(total.results[0]!.series![0]!.values![0]![1]));
  });
});
