/** `pointwatch simulate --example`: the example province on simulated routers, answering SNMP on loopback (issue 18 item 4). */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import snmp from 'net-snmp';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { CLI, ROOT } from '../../helpers/cli.js';

describe('pointwatch simulate --example', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfsimex-'));
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const done = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await done;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes the example inventory with its ids, communes and parents on loopback routers that answer', { timeout: 120_000 }, async () => {
    const out = path.join(dir, 'sites.yaml');
    const basePort = 10000 + Math.floor(Math.random() * 20000);
    child = spawn(process.execPath, [...CLI, 'simulate', '--example', '--no-netns', '--base-port', String(basePort), '--out', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = await new Promise<{ sites: number; inventory: string }>((resolve, reject) => {
      let buf = '';
      child!.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const line = buf.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      child!.once('exit', (code) => reject(new Error(`simulate exited ${code}`)));
    });
    const example = (await loadConfig({ config: 'config/pointwatch.example.yaml', env: {} })).inventory;
    expect(ready.sites).toBe(example.sites.length);
    const sim = (await loadConfig({ config: 'config/pointwatch.example.yaml', inventory: out, env: {} })).inventory;
    expect(sim.sites.map((s) => [s.id, s.name, s.commune, s.parent])).toEqual(example.sites.map((s) => [s.id, s.name, s.commune, s.parent]));
    expect(sim.areas).toEqual(example.areas);
    for (const s of sim.sites) expect(s.host).toMatch(/^127\./);

    const ubnd = sim.sites.find((s) => s.id === 'ubnd-ta-van')!;
    const a = ubnd.snmp;
    if (a === false || a.version === '3') throw new Error('expected a v2c site');
    const name = await new Promise<string>((resolve, reject) => {
      const session = snmp.createSession(ubnd.host, a.community, { port: a.port, timeout: 2000, retries: 1, version: snmp.Version2c } as snmp.SessionOptions);
      session.get(['1.3.6.1.2.1.1.5.0'], (err, vbs) => { session.close(); if (err) reject(err); else resolve(String((vbs as Array<{ value: Buffer }>)[0]!.value)); });
    });
    expect(name.length).toBeGreaterThan(0);
  });
});
