/**
 * SNMP over a really lossy link: snmpd runs in a network namespace this test creates, and iptables
 * drops 30% of the UDP requests at random. Retries recover; without retries about half the polls fail.
 * Only our own namespace is targeted.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { startSnmpd, type SnmpdHandle } from '../../helpers/snmpd.js';
import { createSnmpProbe } from '../../../src/probes/snmp/index.js';
import { testSite } from './site.js';

const id = process.pid % 10000;
const NS = `pwprobs${id}`;
const VETH_HOST = `pws${id}a`;
const VETH_NS = `pws${id}b`;
const NET = `10.252.${id % 250}`;
const NS_IP = `${NET}.2`;
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
let agent: SnmpdHandle | undefined;

beforeAll(async () => {
  sh('ip', ['netns', 'add', NS]);
  sh('ip', ['link', 'add', VETH_HOST, 'type', 'veth', 'peer', 'name', VETH_NS]);
  sh('ip', ['link', 'set', VETH_NS, 'netns', NS]);
  sh('ip', ['addr', 'add', `${NET}.1/30`, 'dev', VETH_HOST]);
  sh('ip', ['link', 'set', VETH_HOST, 'up']);
  sh('ip', ['netns', 'exec', NS, 'ip', 'addr', 'add', `${NS_IP}/30`, 'dev', VETH_NS]);
  sh('ip', ['netns', 'exec', NS, 'ip', 'link', 'set', VETH_NS, 'up']);
  sh('ip', ['netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up']);
  // A fixed port is fine here: the address lives in this test's own namespace.
  agent = await startSnmpd({ ports: [1161], host: NS_IP, netns: NS, communities: ['public'] });
});

afterAll(async () => {
  await agent?.stop();
  try { sh('ip', ['link', 'del', VETH_HOST]); } catch { /* went with the namespace */ }
  try { sh('ip', ['netns', 'del', NS]); } catch { /* not created */ }
});

async function pollMany(retries: number, n: number) {
  const probe = createSnmpProbe({ timeout_ms: 800, retries, max_repetitions: 20, per_agent_concurrency: 8 });
  const sites = Array.from({ length: n }, (_, i) => testSite(`l${retries}-${i}`, { version: '2c', community: 'public', port: 1161 }, { host: NS_IP }));
  const rs = await Promise.all(sites.map((s) => probe.poll(s, { system: true, interfaces: true })));
  probe.close();
  return rs;
}

describe('SNMP over a lossy link (namespace + iptables statistic drop)', () => {
  it('no loss: every poll is ok', async () => {
    const rs = await pollMany(0, 10);
    expect(rs.every((r) => r.status === 'ok')).toBe(true);
  });

  it('30% request loss: retries=2 recovers almost every poll; retries=0 loses about half', async () => {
    sh('ip', ['netns', 'exec', NS, 'iptables', '-A', 'INPUT', '-p', 'udp', '--dport', '1161', '-m', 'statistic', '--mode', 'random', '--probability', '0.3', '-j', 'DROP']);
    try {
      const withRetries = await pollMany(2, 50);
      const without = await pollMany(0, 100);
      const ok2 = withRetries.filter((r) => r.status === 'ok').length;
      const ok0 = without.filter((r) => r.status === 'ok').length;
      console.log(`[probes] 30% UDP loss, first polls (one GETBULK each: lo + the veth): retries=2 → ${ok2}/50 ok, retries=0 → ${ok0}/100 ok`);
      // Per poll one request (system + both rows of every column fit one GETBULK): P(fail) ≈ 2.7% with
      // 3 tries (mean 48.6 of 50, sd 1.1), ≈ 30% with 1 try (mean 70 of 100, sd 4.6). Bounds > 3 sd out.
      expect(ok2).toBeGreaterThanOrEqual(45);
      expect(ok0).toBeLessThanOrEqual(85);
      expect(without.filter((r) => r.status !== 'ok').every((r) => r.status === 'timeout')).toBe(true);
    } finally {
      sh('ip', ['netns', 'exec', NS, 'iptables', '-F', 'INPUT']);
    }
  });
});
