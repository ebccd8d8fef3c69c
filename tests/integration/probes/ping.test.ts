/**
 * Ping probe against REAL fping: loopback hosts (0% loss), a host in a network namespace this test
 * creates with iptables DROP (100% loss) and `-m statistic` random drop (about 40% loss), an unknown
 * host name, batching over many hosts. Only loopback and our own namespace are targeted.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createPingProbe, runCommand } from '../../../src/probes/ping/index.js';

const id = process.pid % 10000;
const NS = `pwprobe${id}`;
const VETH_HOST = `pwp${id}a`;
const VETH_NS = `pwp${id}b`;
const NET = `10.253.${id % 250}`;
const HOST_IP = `${NET}.1`;
const NS_IP = `${NET}.2`;

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const nsIptables = (...args: string[]) => sh('ip', ['netns', 'exec', NS, 'iptables', ...args]);

beforeAll(() => {
  sh('ip', ['netns', 'add', NS]);
  sh('ip', ['link', 'add', VETH_HOST, 'type', 'veth', 'peer', 'name', VETH_NS]);
  sh('ip', ['link', 'set', VETH_NS, 'netns', NS]);
  sh('ip', ['addr', 'add', `${HOST_IP}/30`, 'dev', VETH_HOST]);
  sh('ip', ['link', 'set', VETH_HOST, 'up']);
  sh('ip', ['netns', 'exec', NS, 'ip', 'addr', 'add', `${NS_IP}/30`, 'dev', VETH_NS]);
  sh('ip', ['netns', 'exec', NS, 'ip', 'link', 'set', VETH_NS, 'up']);
  sh('ip', ['netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up']);
});

afterAll(() => {
  try { sh('ip', ['link', 'del', VETH_HOST]); } catch { /* went with the namespace */ }
  try { sh('ip', ['netns', 'del', NS]); } catch { /* not created */ }
});

const OPTS = { count: 5, period_ms: 20, timeout_ms: 300, interval_ms: 1, batch_size: 8, parallel_batches: 2 };

describe('ping probe with real fping', () => {
  it('fping is installed (a missing binary is a failure, not a skip)', async () => {
    const r = await runCommand('fping', ['-v'], { timeoutMs: 5000 });
    expect(r.stdout + r.stderr).toMatch(/fping: Version 5/);
  });

  it('loopback hosts in several batches: 0% loss, one result per target in order', async () => {
    const targets = Array.from({ length: 30 }, (_, i) => ({ site: `lo${i}`, host: `127.0.0.${i + 1}` }));
    targets.push({ site: 'byname', host: 'localhost' }, { site: 'dup', host: '127.0.0.1' }, { site: 'v6', host: '::1' });
    const t0 = Date.now();
    const res = await createPingProbe(OPTS).ping(targets);
    expect(res.map((r) => r.site)).toEqual(targets.map((t) => t.site));
    for (const r of res) {
      expect(r, r.site).toMatchObject({ status: 'ok', sent: 5, received: 5, loss_pct: 0 });
      expect(r.rtt_min_ms!).toBeLessThanOrEqual(r.rtt_avg_ms!);
      expect(r.rtt_avg_ms!).toBeLessThanOrEqual(r.rtt_max_ms!);
      expect(r.jitter_ms).not.toBeNull();
      expect(r.ts).toBeGreaterThanOrEqual(t0);
      expect(r.raw).toMatch(/ : /);
    }
  });

  it('namespace host answering: 0% loss', async () => {
    nsIptables('-F', 'INPUT');
    const [r] = await createPingProbe(OPTS).ping([{ site: 'ns', host: NS_IP }]);
    expect(r).toMatchObject({ status: 'ok', loss_pct: 0, received: 5 });
  });

  it('namespace host with iptables DROP: 100% loss → unreachable (fping exit 1 is normal)', async () => {
    nsIptables('-F', 'INPUT');
    nsIptables('-A', 'INPUT', '-p', 'icmp', '-j', 'DROP');
    const res = await createPingProbe(OPTS).ping([{ site: 'down', host: NS_IP }, { site: 'up', host: '127.0.0.1' }]);
    expect(res[0]).toMatchObject({ site: 'down', status: 'unreachable', sent: 5, received: 0, loss_pct: 100, rtt_avg_ms: null });
    expect(res[1]).toMatchObject({ site: 'up', status: 'ok', loss_pct: 0 });
  });

  it('namespace host with random 40% drop: partial loss near 40%', async () => {
    nsIptables('-F', 'INPUT');
    nsIptables('-A', 'INPUT', '-p', 'icmp', '-m', 'statistic', '--mode', 'random', '--probability', '0.4', '-j', 'DROP');
    const [r] = await createPingProbe({ ...OPTS, count: 50, period_ms: 10 }).ping([{ site: 'lossy', host: NS_IP }]);
    nsIptables('-F', 'INPUT');
    expect(r!.status).toBe('ok');
    expect(r!.sent).toBe(50);
    // Binomial(50, 0.4): 15..65% is ±3.6 standard deviations.
    expect(r!.loss_pct).toBeGreaterThanOrEqual(15);
    expect(r!.loss_pct).toBeLessThanOrEqual(65);
  });

  it('unknown host name: that site is an error, the others still get results (fping exit 2)', async () => {
    const res = await createPingProbe(OPTS).ping([{ site: 'a', host: '127.0.0.1' }, { site: 'b', host: 'nosuchhost.invalid' }]);
    expect(res[0]).toMatchObject({ status: 'ok', received: 5 });
    expect(res[1]).toMatchObject({ status: 'error', reason: 'host name did not resolve' });
  });

  it('fping that cannot run: every target is an error with the reason', async () => {
    const res = await createPingProbe({ ...OPTS, fping_path: '/nonexistent/fping' }).ping([{ site: 'a', host: '127.0.0.1' }]);
    expect(res[0]!.status).toBe('error');
    // (the launcher shell reports it: "/bin/sh: 4: /nonexistent/fping: not found")
    expect(res[0]!.reason).toMatch(/^fping did not run: .*\/nonexistent\/fping: not found/);
  });

  it('fping runs under long-lived launcher shells: batches reuse them, at most parallel_batches of them', async () => {
    const probe = createPingProbe({ ...OPTS, batch_size: 1, parallel_batches: 2 });
    const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
    await probe.ping(hosts.map((host, i) => ({ site: `s${i}`, host })));
    const shells = probe.processes!();
    expect(shells.length).toBe(2);
    const res = await probe.ping(hosts.map((host, i) => ({ site: `s${i}`, host })));
    expect(res.every((r) => r.received === 5)).toBe(true);
    expect(probe.processes!().sort()).toEqual(shells.sort());
    await probe.close!();
    expect(probe.processes!()).toEqual([]);
  });
});
