/** The daemon helpers other areas rely on: many endpoints per snmpd, clean stop, snmpsim readiness. */
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { startSnmpd } from '../../helpers/snmpd.js';
import { startSnmpsim } from '../../helpers/snmpsim.js';
import { freeUdpPorts } from '../../helpers/ports.js';
import { spawnDaemon } from '../../helpers/daemon.js';
import { createSnmpProbe } from '../../../src/probes/snmp/index.js';
import { testSite } from './site.js';

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

describe('test helpers', () => {
  it('startSnmpd: one process answers on 300 endpoints (beyond the 128 agentAddress limit), stop() kills it and removes its dir', async () => {
    const ports = await freeUdpPorts(300);
    const agent = await startSnmpd({ ports, communities: ['public'] });
    const probe = createSnmpProbe({ timeout_ms: 1000, retries: 1, max_repetitions: 20 });
    try {
      const picks = [ports[0]!, ports[127]!, ports[128]!, ports[299]!];
      const rs = await Promise.all(picks.map((p) => probe.poll(testSite(`h${p}`, { version: '2c', community: 'public', port: p }), { system: true, interfaces: false })));
      expect(rs.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    } finally {
      probe.close();
      await agent.stop();
    }
    expect(alive(agent.pid)).toBe(false);
    expect(existsSync(agent.dir)).toBe(false);
  });

  it('startSnmpd: a port already in use is a clear failure, not a hang', async () => {
    const [p] = await freeUdpPorts(1);
    const first = await startSnmpd({ ports: [p!] });
    try {
      await expect(startSnmpd({ ports: [p!] })).rejects.toThrow(/snmpd (did not start|could not bind)/);
    } finally {
      await first.stop();
    }
  });

  it('spawnDaemon: output kept up to the cap; one that ignores SIGTERM is killed after 3 s; one that cannot start is exited, with the reason', async () => {
    const stubborn = spawnDaemon(process.execPath, ['-e', "process.on('SIGTERM', () => console.log('ignored')); console.log('ready'); setInterval(() => {}, 1000)"], { maxOutput: 1000 });
    while (!stubborn.out.includes('ready')) await new Promise((r) => setTimeout(r, 25));
    expect(stubborn.exited).toBe(false);
    await stubborn.stop();
    expect(stubborn.exited).toBe(true);
    expect(stubborn.child.signalCode).toBe('SIGKILL'); // asked first (it printed 'ignored'), then killed
    expect(alive(stubborn.child.pid!)).toBe(false);
    expect(stubborn.out).toBe('ready\nignored\n');
    await stubborn.stop(); // again: nothing to do

    // ten writes 100 ms apart: what came first is kept whole, then the cap (10) is reached and the rest dropped
    const chatty = spawnDaemon(process.execPath, ['-e', "let n = 0; const t = setInterval(() => { process.stdout.write('x'.repeat(20)); if (++n === 10) clearInterval(t); }, 100)"], { maxOutput: 10 });
    while (!chatty.exited) await new Promise((r) => setTimeout(r, 25));
    expect(chatty.out).toMatch(/^(x{20})+$/);
    expect(chatty.out.length).toBeLessThan(200);

    const missing = spawnDaemon('/nonexistent/pointwatch-daemon', [], { maxOutput: 1000 });
    await missing.stop(); // returns: nothing was started
    expect(missing.exited).toBe(true);
    expect(missing.out).toMatch(/^spawn error: .*ENOENT/);
  }, 15_000);

  it('startSnmpsim: ready when it answers; stop() kills it', async () => {
    const sim = await startSnmpsim({ files: [{ name: 'tiny', text: '1.3.6.1.2.1.1.3.0|67|42\n1.3.6.1.2.1.1.5.0|4|tiny' }] });
    const probe = createSnmpProbe({ timeout_ms: 1000, retries: 0, max_repetitions: 20 });
    const r = await probe.poll(testSite('tiny', { version: '2c', community: 'tiny', port: sim.port }), { system: true, interfaces: false });
    probe.close();
    await sim.stop();
    expect(r).toMatchObject({ status: 'ok', system: { uptime_ticks: 42, sys_name: 'tiny' } });
    expect(alive(sim.pid)).toBe(false);
  });
});
