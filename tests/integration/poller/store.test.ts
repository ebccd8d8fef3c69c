/**
 * `pointwatch poll` without --no-store: the checks of a simulated fleet land in a real influxd
 * (through the store writer), and the figures read back are the ones the JSON printed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InfluxDB } from 'influx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import { createFleet, type Fleet } from '../../../src/sim/fleet.js';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import type { PollJson } from '../../../src/poller/report.js';
import { CLI } from '../../helpers/cli.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const basePort = 10000 + Math.floor(Math.random() * 20000); // below the ephemeral range
let influxd: Influxd;
let fleet: Fleet;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pwpoll-store-'));
  influxd = await startInfluxd();
  fleet = await createFleet({ sites: 3, basePort, loopbackBlock: 23, logger: silentLogger() });
  await fleet.writeInventory(path.join(dir, 'sites.yaml'));
  await writeFile(
    path.join(dir, 'pointwatch.yaml'),
    [
      'inventory: sites.yaml',
      `data_dir: ${path.join(dir, 'data')}`,
      'influx:',
      `  url: ${influxd.url}`,
      '  database: pwpolltest',
      'poller:',
      '  ping: { count: 3, period_ms: 20, timeout_ms: 300 }',
      '  snmp: { timeout_ms: 500, retries: 1 }',
      '',
    ].join('\n'),
  );
}, 30_000);

afterAll(async () => {
  await fleet?.close();
  await influxd?.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('poll --json (with store)', () => {
  it('writes ping, snmp and interface points that read back as printed', async () => {
    // async spawn: the simulated fleet lives in this process and must keep answering
    const child = spawn(process.execPath, [...CLI, 'poll', '--config', path.join(dir, 'pointwatch.yaml'), '--cycles', '2', '--interval', '2', '--json'], {
      cwd: ROOT, env: { ...process.env, POINTWATCH_LOG_LEVEL: 'warn' },
    });
    const r = { stdout: '', stderr: '', status: null as number | null };
    child.stdout.on('data', (d: Buffer) => { r.stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { r.stderr += d.toString(); });
    r.status = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/store: \d+ points written to InfluxDB, 0 spooled/);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as PollJson);
    expect(rows).toHaveLength(6);
    const influx = new InfluxDB({ host: '127.0.0.1', port: influxd.port, database: 'pwpolltest' });
    const pings = await influx.query<{ site: string; received: number }>('SELECT received, site FROM raw.ping');
    // one ping point per check: 6, plus one per fast re-check (a loaded machine can time SNMP out)
    const rechecks = rows.filter((x) => x.recheck).length;
    expect(pings.length, JSON.stringify(rows.map((x) => [x.site, x.cycle, x.recheck, x.snmp?.reason]))).toBe(6 + rechecks);
    for (const p of pings) expect(p.received).toBe(3);
    const snmps = await influx.query<{ site: string; uptime_s: number }>('SELECT uptime_s, site FROM raw.snmp');
    expect(new Set(snmps.map((s) => s.site)), r.stderr.slice(0, 2000)).toEqual(new Set(['sim-0001', 'sim-0002', 'sim-0003']));
    // cycle 2's WAN rate of sim-0001, as printed and as stored
    const printed = rows.find((x) => x.site === 'sim-0001' && x.cycle === 2)!.snmp!.interfaces.find((i) => i.wan)!;
    expect(printed.in_bps, 'cycle 2 of sim-0001 has a WAN rate').not.toBeNull();
    const stored = await influx.query<{ in_bps: number }>(
      `SELECT in_bps FROM raw.interface WHERE site = 'sim-0001' AND wan = 'true' AND in_bps > 0`,
    );
    expect(stored).toHaveLength(1);
    expect(Math.round(stored[0]!.in_bps)).toBe(printed.in_bps);
  }, 60_000);
});
