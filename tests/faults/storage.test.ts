/**
 * Storage faults: a simulated fleet polled by the REAL poller (fping + net-snmp against the
 * simulator's agents) feeding the REAL writer (+ disk spool), cycles run back to back (an
 * accelerated schedule), while influxd is SIGKILLed and restarted THREE times — each kill lands
 * in the middle of a cycle. Afterwards:
 *   - every point the writer was handed is in InfluxDB: handed (distinct series+time) vs
 *     `SELECT COUNT(field)` per measurement AND per site; 0 lost, 0 duplicates, 0 dropped;
 *   - the 5-minute rollups over the whole run (outages included) equal an aggregate computed
 *     here, independently, from the raw points read back (the CQ re-samples the late points).
 * Prints one FAULTS line for the README.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../../src/config/defaults.js';
import { createLogger } from '../../src/core/logger.js';
import { systemClock } from '../../src/core/clock.js';
import type { Settings } from '../../src/config/schema.js';
import { createPingProbe } from '../../src/probes/ping/index.js';
import { createSnmpProbe } from '../../src/probes/snmp/index.js';
import { createPoller } from '../../src/poller/index.js';
import { createWriter } from '../../src/store/writer.js';
import { createInflux, exec } from '../../src/store/client.js';
import { pointsForCheck, type Point } from '../../src/store/points.js';
import { ROLLUPS } from '../../src/store/schema.js';
import { createFleet, type Fleet } from '../../src/sim/fleet.js';
import { startInfluxd, type Influxd } from '../helpers/influxd.js';

const SITES = Number(process.env.PW_FAULTS_STORAGE_SITES ?? 500);
const CYCLES = 9;
const KILL_AT = new Set([1, 3, 5]); // killed mid-cycle; restarted at the start of the next cycle
const DB = 'pwfaultstore';
const COUNT_FIELD = { ping: 'sent', snmp: 'reachable', interface: 'oper_up' } as const;
type M = keyof typeof COUNT_FIELD;

let influxd: Influxd;
let fleet: Fleet;
let dir = '';
const logLines: string[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-faults-store-'));
  influxd = await startInfluxd();
  fleet = await createFleet({ sites: SITES, basePort: 10_000 + Math.floor(Math.random() * 20_000), loopbackBlock: 82, netns: 'off' });
}, 120_000);

afterAll(async () => {
  await fleet?.close();
  await influxd?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function key(p: Point): string {
  const tags = Object.keys(p.tags).sort().map((k) => `${k}=${p.tags[k]}`).join(',');
  return `${p.measurement}|${tags}|${p.timestamp}`;
}

async function waitFor(what: string, fn: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('influxd SIGKILLed three times under a polled fleet', () => {
  it('loses no point and the rollups over the outages match the raw data', async () => {
    const settings: Settings = settingsWithDefaults({
      influx: { url: influxd.url, database: DB, batch_size: 2000, flush_interval_ms: 200, timeout_ms: 10_000 },
      spool: { replay_points_per_s: 50_000 },
      poller: {
        ping: { interval_s: 10, count: 2, period_ms: 20, timeout_ms: 500 },
        snmp: { system_interval_s: 10, interfaces_interval_s: 10, timeout_ms: 2000, retries: 1 },
        recheck: { delay_s: 1 },
        spread: false,
      },
    });
    const logger = createLogger({ level: 'info', destination: { write: (s: string) => void logLines.push(s) } });
    const writer = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir: dir, logger, ensureSchema: { cqEvery: '1s' } });
    const sites = new Map(fleet.inventory.sites.map((s) => [s.id, s]));
    const handed = new Map<string, Point>();
    let handedRaw = 0;
    // Kill influxd in the middle of a cycle: at the cycle's first batch of checks, before that batch
    // reaches the writer (a timer would miss it: a 500-site cycle is often done in under 300 ms).
    let killThisCycle = false;
    let killer: Promise<void> | null = null;
    let kills = 0;
    const poller = createPoller({
      settings,
      sites: fleet.inventory.sites,
      ping: createPingProbe(settings.poller.ping, { logger }),
      snmp: createSnmpProbe(settings.poller.snmp, { logger }),
      clock: systemClock,
      logger,
      onCheck: (checks) => {
        const pts = checks.flatMap((c) => pointsForCheck(sites.get(c.site)!, c));
        for (const p of pts) handed.set(key(p), p);
        handedRaw += pts.length;
        if (killThisCycle) {
          killThisCycle = false;
          killer = influxd.kill().then(() => { kills++; writer.write(pts); });
        } else if (killer) void killer.then(() => writer.write(pts)); // keep the order: after the kill
        else writer.write(pts);
      },
    });

    const durations: number[] = [];
    let spooledDuringOutage = 0;
    const t0 = Date.now();
    for (let c = 0; c < CYCLES; c++) {
      if (c > 0 && KILL_AT.has(c - 1)) {
        spooledDuringOutage = Math.max(spooledDuringOutage, writer.stats().spool.points);
        await influxd.restart();
      }
      killer = null;
      killThisCycle = KILL_AT.has(c);
      const st = await poller.runCycle(c + 1);
      durations.push(st.duration_ms);
      await killer;
      expect(killThisCycle, `cycle ${c + 1} handed no checks`).toBe(false);
    }
    await writer.flush();
    await waitFor('spool drained', () => writer.stats().spool.points === 0 && writer.stats().influx_up, 60_000);
    await writer.flush();
    const runSeconds = (Date.now() - t0) / 1000;
    const ws = writer.stats();
    await writer.close();

    // ---- every handed point is in InfluxDB, per measurement and per site
    const influx = createInflux(settings.influx);
    const want: Record<M, Map<string, number>> = { ping: new Map(), snmp: new Map(), interface: new Map() };
    for (const p of handed.values()) {
      const m = want[p.measurement as M];
      if (m) m.set(p.tags.site!, (m.get(p.tags.site!) ?? 0) + 1);
    }
    const counts: Record<string, string> = {};
    let lost = 0;
    let extra = 0;
    for (const m of Object.keys(COUNT_FIELD) as M[]) {
      const res = await exec(influx, `SELECT COUNT("${COUNT_FIELD[m]}") FROM "${DB}"."raw"."${m}" GROUP BY "site"`, { database: DB });
      const got = new Map<string, number>();
      for (const s of res.results[0]!.series ?? []) got.set(s.tags!.site!, Number(s.values![0]![1]));
      const wantTotal = [...want[m].values()].reduce((a, b) => a + b, 0);
      const gotTotal = [...got.values()].reduce((a, b) => a + b, 0);
      counts[m] = `${wantTotal}/${gotTotal}`;
      for (const [site, n] of want[m]) {
        const g = got.get(site) ?? 0;
        if (g < n) lost += n - g; else extra += g - n;
      }
      for (const [site, g] of got) if (!want[m].has(site)) extra += g;
      expect(wantTotal, `${m}: points handed`).toBeGreaterThan(0);
    }

    // ---- 5-minute rollups over the run (outages included) vs an aggregate of the raw points
    const from = Math.floor(t0 / 300_000) * 300_000;
    const rollupCheck = async (): Promise<{ buckets: number; mismatches: string[] }> => {
      const mismatches: string[] = [];
      let buckets = 0;
      for (const m of ['ping', 'snmp'] as const) {
        const fields = Object.keys(ROLLUPS[m]);
        const raw = await exec(influx, `SELECT ${fields.map((f) => `"${f}"`).join(',')} FROM "${DB}"."raw"."${m}" WHERE time >= ${from}ms GROUP BY "site"`, { database: DB });
        const exp = new Map<string, Record<string, number[]>>();
        for (const s of raw.results[0]!.series ?? []) {
          for (const v of s.values ?? []) {
            const k = `${s.tags!.site}|${Math.floor(Date.parse(String(v[0])) / 300_000) * 300_000}`;
            const row = exp.get(k) ?? {};
            fields.forEach((f) => { const x = v[s.columns.indexOf(f)]; if (typeof x === 'number') (row[f] ??= []).push(x); });
            exp.set(k, row);
          }
        }
        const roll = await exec(influx, `SELECT * FROM "${DB}"."rollup_5m"."${m}" WHERE time >= ${from}ms GROUP BY "site"`, { database: DB });
        const got = new Map<string, Record<string, number>>();
        for (const s of roll.results[0]!.series ?? []) {
          for (const v of s.values ?? []) {
            const row: Record<string, number> = {};
            s.columns.forEach((c, i) => { if (c !== 'time' && typeof v[i] === 'number') row[c] = v[i] as number; });
            got.set(`${s.tags!.site}|${Date.parse(String(v[0]))}`, row);
          }
        }
        for (const [k, row] of exp) {
          buckets++;
          const g = got.get(k);
          if (!g) { mismatches.push(`${m} ${k} missing`); continue; }
          for (const [f, xs] of Object.entries(row)) {
            const fn = ROLLUPS[m][f];
            const e = fn === 'sum' ? xs.reduce((a, b) => a + b, 0) : fn === 'mean' ? xs.reduce((a, b) => a + b, 0) / xs.length : fn === 'max' ? Math.max(...xs) : fn === 'min' ? Math.min(...xs) : xs[xs.length - 1]!;
            if (Math.abs((g[f] ?? NaN) - e) > 1e-6 * Math.max(1, Math.abs(e))) mismatches.push(`${m} ${k} ${f}: rollup ${g[f]} raw ${e}`);
          }
        }
      }
      return { buckets, mismatches };
    };
    let rollups = { buckets: 0, mismatches: ['not checked'] };
    const rollupDeadline = Date.now() + 60_000;
    while (Date.now() < rollupDeadline) {
      rollups = await rollupCheck();
      if (rollups.mismatches.length === 0) break;
      await new Promise((r) => setTimeout(r, 1000)); // the CQs re-sample every second
    }

    const maxCycle = Math.max(...durations);
    process.stdout.write(
      `FAULTS storage: sites=${SITES} cycles=${CYCLES} influxd_kills=${kills} run_s=${runSeconds.toFixed(1)} max_cycle_ms=${maxCycle} ` +
      `points_handed=${handed.size} handed_raw=${handedRaw} spooled=${ws.spooled} replayed=${ws.replayed} max_spool_points=${spooledDuringOutage} ` +
      `ping=${counts.ping} snmp=${counts.snmp} interface=${counts.interface} lost=${lost} duplicates=${extra} dropped=${ws.dropped} rejected=${ws.rejected} ` +
      `rollup_5m_buckets=${rollups.buckets} rollup_mismatches=${rollups.mismatches.length}\n`,
    );
    expect(kills).toBe(3);
    expect(handedRaw, 'the poller handed a point twice').toBe(handed.size);
    expect(ws.spooled, 'the outages must have forced points through the spool').toBeGreaterThan(0);
    expect(ws.replayed).toBeGreaterThan(0);
    expect(lost).toBe(0);
    expect(extra).toBe(0);
    expect(ws.dropped).toBe(0);
    expect(ws.rejected).toBe(0);
    expect(rollups.mismatches.slice(0, 10)).toEqual([]);
    expect(rollups.buckets).toBeGreaterThan(0);
  }, 400_000);
});
