/**
 * End to end through the real CLI: `pointwatch simulate` (spawned, faults injected) and
 * `pointwatch poll --cycles 3 --json` (spawned) against it. Every injected fault shows in the
 * JSON contract, and no rate ever exceeds its interface's speed.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PollJson } from '../../../src/poller/report.js';
import { CLI } from '../../helpers/cli.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
// below the ephemeral range (32768+), where other tests' sockets come from
const basePort = 10000 + Math.floor(Math.random() * 20000);
let dir: string;
let sim: ChildProcessWithoutNullStreams;
let ready: { control: string; inventory: string; netns: { active: boolean; name?: string }; faults: Record<string, string> };

const cli = (args: string[]) => spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...process.env, POINTWATCH_LOG_LEVEL: 'warn' } });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pwpoll-cli-'));
  sim = cli([
    'simulate', '--sites', '10', '--base-port', String(basePort), '--out', path.join(dir, 'sites.yaml'),
    '--faults', 'down@sim-0010,slow:5000@sim-0009',
  ]);
  const rl = readline.createInterface({ input: sim.stdout });
  let err = '';
  sim.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  ready = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`simulate not ready in 20 s: ${err}`)), 20_000);
    rl.once('line', (l) => { clearTimeout(t); resolve(JSON.parse(l)); });
    sim.once('exit', (code) => reject(new Error(`simulate exited ${code}: ${err}`)));
  });
  await writeFile(
    path.join(dir, 'pointwatch.yaml'),
    [
      'inventory: sites.yaml',
      `data_dir: ${path.join(dir, 'data')}`,
      'poller:',
      '  ping: { count: 3, period_ms: 20, timeout_ms: 300 }',
      '  snmp: { timeout_ms: 1500, retries: 1 }   # generous for a loaded CI machine',
      '  recheck: { delay_s: 1 }',
      '',
    ].join('\n'),
  );
}, 30_000);

afterAll(async () => {
  if (sim && sim.exitCode === null) {
    const exited = new Promise((r) => sim.once('exit', r));
    sim.kill('SIGTERM');
    await exited;
  }
  if (ready?.netns.name) expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(ready.netns.name);
  await rm(dir, { recursive: true, force: true });
});

/** ifInOctets.1 (32-bit) of a simulated site, read over SNMP. */
const ifInOctets1 = (id: string) =>
  new Promise<number>((resolve, reject) => {
    const i = Number(id.slice(-4)) - 1;
    const s = snmp.createSession(`127.20.0.${i + 1}`, 'simpublic', { port: basePort + i, timeout: 1500, retries: 1 } as snmp.SessionOptions);
    s.get(['1.3.6.1.2.1.2.2.1.10.1'], (e, vbs) => { s.close(); if (e) reject(e); else resolve(vbs![0]!.value as number); });
  });

describe('pointwatch poll --cycles 3 --json against pointwatch simulate', () => {
  it('reports down, slow, reboot and wrap; no rate above its interface speed', async () => {
    expect(ready.faults).toMatchObject({ 'sim-0010': 'down (network)', 'sim-0009': 'slow:5000 (snmp)' });
    // sim-0004 (32-bit only) gets counters that pass 2^32 12 s from now: after cycle 1 has read
    // them (the CLI starts in a few seconds), before cycle 3 (cycles take ~7 s: the slow and
    // down sites' timeouts and re-checks)
    const w = await fetch(`${ready.control}/sites/sim-0004/fault?set=wrap:12`, { method: 'POST' });
    expect(await w.json()).toMatchObject({ fault: 'wrap:12', hc: false });
    const primed = await ifInOctets1('sim-0004');
    expect(primed).toBeGreaterThan(2 ** 32 - 2 ** 30);
    const poll = cli(['poll', '--config', path.join(dir, 'pointwatch.yaml'), '--cycles', '3', '--interval', '4', '--json', '--no-store']);
    const rows: PollJson[] = [];
    let stderr = '';
    poll.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    let rebootPosted = false;
    for await (const line of readline.createInterface({ input: poll.stdout })) {
      rows.push(JSON.parse(line) as PollJson);
      // once cycle 1 is out, the router of sim-0005 loses power
      if (!rebootPosted && rows.filter((r) => r.cycle === 1).length === 10) {
        rebootPosted = true;
        const r = await fetch(`${ready.control}/sites/sim-0005/fault?set=reboot`, { method: 'POST' });
        expect(r.status).toBe(200);
      }
    }
    const code = await new Promise((r) => (poll.exitCode !== null ? r(poll.exitCode) : poll.once('exit', r)));
    expect(code, stderr).toBe(0);
    expect(rows).toHaveLength(30);
    const at = (site: string, cycle: number) => rows.find((r) => r.site === site && r.cycle === cycle)!;

    for (const r of rows) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['site', 'cycle', 'reachable', 'ping', 'snmp']));
      expect(Object.keys(r.ping!)).toEqual(expect.arrayContaining(['sent', 'received', 'loss_pct', 'rtt_min_ms', 'rtt_avg_ms', 'rtt_max_ms', 'jitter_ms']));
      for (const i of r.snmp?.interfaces ?? []) {
        if (i.in_bps !== null) expect(i.in_bps, `${r.site}#${r.cycle} ${i.name}`).toBeLessThanOrEqual(i.speed_bps!);
        if (i.out_bps !== null) expect(i.out_bps, `${r.site}#${r.cycle} ${i.name}`).toBeLessThanOrEqual(i.speed_bps!);
      }
    }
    for (let c = 1; c <= 3; c++) {
      // down: nothing answers, confirmed by the re-check
      // (its SNMP is not awaited once every ping is lost: status 'unreachable')
      expect(at('sim-0010', c)).toMatchObject({ reachable: false, recheck: true, ping: { received: 0 }, snmp: { status: 'unreachable' } });
      // slow agent: pings fine, SNMP times out
      expect(at('sim-0009', c)).toMatchObject({ reachable: true, snmp: { status: 'timeout' } });
      for (const id of ['sim-0001', 'sim-0002', 'sim-0003', 'sim-0006', 'sim-0007', 'sim-0008']) {
        expect(at(id, c), `${id}#${c}`).toMatchObject({ reachable: true, recheck: false, ping: { received: 3 }, snmp: { status: 'ok' } });
        if (c > 1) expect(at(id, c).snmp!.interfaces.find((i) => i.wan)!.in_bps, `${id}#${c}`).not.toBeNull();
      }
    }
    // reboot: seen by the next cycle (2, or 3 if cycle 2 had already read sim-0005 when the
    // power cut landed), once, and no rate over the reboot
    const reboots = [2, 3].filter((c) => at('sim-0005', c).snmp?.rebooted);
    expect(reboots).toHaveLength(1);
    const reb = at('sim-0005', reboots[0]!);
    expect(reb.snmp).toMatchObject({ status: 'ok', rebooted: true });
    expect(reb.snmp!.uptime_s!).toBeLessThan(15);
    expect(reb.snmp!.interfaces.every((i) => i.in_bps === null && i.note === 'reboot')).toBe(true);
    expect(at('sim-0005', 1).snmp!.rebooted).toBe(false);
    // wrap: the 32-bit counters of sim-0004 passed 2^32 during the run, and every rate stayed plausible
    for (const c of [2, 3]) {
      const wan = at('sim-0004', c).snmp!.interfaces.find((i) => i.index === 1)!;
      expect(wan.in_bps, `cycle ${c}: ${wan.note}`).not.toBeNull();
      expect(wan.in_bps!).toBeGreaterThan(0);
    }
    expect(await ifInOctets1('sim-0004')).toBeLessThan(2 ** 31);
  }, 60_000);
});
