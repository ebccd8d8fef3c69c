/**
 * Start a REAL net-snmp snmpd (Debian package) on loopback UDP ports for tests, benchmarks and the
 * simulator. One process answers on every port given (endpoints on the COMMAND line: with many
 * `agentAddress` lines only the first 128 bind). Keep it to ~500 ports per process.
 *
 *   const agent = await startSnmpd({ ports: await freeUdpPorts(2), communities: ['public'] });
 *   ...; await agent.stop();
 */
import { mkdtemp, mkdir, writeFile, rm, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawnDaemon } from './daemon.js';

export interface SnmpdV3User {
  name: string;
  /** MD5 | SHA | SHA-224 | SHA-256 | SHA-384 | SHA-512 */
  authProtocol: string;
  authKey: string;
  /** DES | AES (omit for authNoPriv) */
  privProtocol?: string;
  privKey?: string;
}

export interface SnmpdOptions {
  ports: number[];
  /** Read-only v1/v2c communities (default ['public']). */
  communities?: string[];
  v3Users?: SnmpdV3User[];
  sysName?: string;
  /** Extra snmpd.conf lines, e.g. `override 1.3.6.1.2.1.1.5.0 integer 42`. */
  extraConf?: string[];
  /** Listen address (default 127.0.0.1; '::1' for IPv6 loopback). */
  host?: string;
  /** Run inside this network namespace (`ip netns exec NS snmpd ...`). */
  netns?: string;
  /**
   * Use this folder for config and persistent state and keep it on stop: a restart with the same dir is a
   * "reboot" of the same agent (same v3 engine ID, snmpEngineBoots + 1). Default: a new temp dir, removed on stop.
   */
  dir?: string;
}

export interface SnmpdHandle {
  ports: number[];
  host: string;
  pid: number;
  dir: string;
  /** Everything snmpd printed (for failing-test diagnostics). */
  output(): string;
  stop(): Promise<void>;
}

export async function startSnmpd(opts: SnmpdOptions): Promise<SnmpdHandle> {
  if (opts.ports.length === 0) throw new Error('startSnmpd: no ports');
  const host = opts.host ?? '127.0.0.1';
  const dir = opts.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'pw-snmpd-')));
  await mkdir(path.join(dir, 'persist'), { recursive: true });
  await chmod(dir, 0o700);
  const conf: string[] = [
    'dontLogTCPWrappersConnects yes',
    `sysName ${opts.sysName ?? 'test-router'}`,
    'sysLocation pointwatch test',
    'sysContact test@example.invalid',
    ...(opts.communities ?? ['public']).flatMap((c) => [`rocommunity ${c}`, `rocommunity6 ${c}`]),
  ];
  for (const u of opts.v3Users ?? []) {
    const priv = u.privProtocol && u.privKey ? ` ${u.privProtocol} "${u.privKey}"` : '';
    conf.push(`createUser ${u.name} ${u.authProtocol} "${u.authKey}"${priv}`);
    conf.push(`rouser ${u.name} ${priv ? 'priv' : 'auth'}`);
  }
  conf.push(...(opts.extraConf ?? []));
  await writeFile(path.join(dir, 'snmpd.conf'), `${conf.join('\n')}\n`, { mode: 0o600 });
  await writeFile(path.join(dir, 'snmp.conf'), 'mibs :\n');

  const endpoints = opts.ports.map((p) => (host.includes(':') ? `udp6:[${host}]:${p}` : `udp:${host}:${p}`)).join(',');
  const args = ['-f', '-Lo', '-C', '-c', path.join(dir, 'snmpd.conf'), '-I', '-smux', `--persistentDir=${path.join(dir, 'persist')}`, endpoints];
  const [cmd, fullArgs] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, 'snmpd', ...args]] : ['snmpd', args];
  const d = spawnDaemon(cmd, fullArgs, { env: { ...process.env, SNMPCONFPATH: dir, MIBS: '' }, maxOutput: 100_000 });
  const stop = async () => {
    await d.stop();
    if (!opts.dir) await rm(dir, { recursive: true, force: true });
  };

  // Ready when it printed its version banner (after binding every endpoint).
  const deadline = Date.now() + 10_000;
  while (!/NET-SNMP version/.test(d.out)) {
    if (d.exited || Date.now() > deadline) {
      await stop();
      throw new Error(`snmpd did not start (ports ${opts.ports.slice(0, 5).join(',')}...): ${d.out.slice(0, 2000) || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  if (/Error opening specified endpoint|couldn't open/i.test(d.out)) {
    await stop();
    throw new Error(`snmpd could not bind: ${d.out.slice(0, 2000)}`);
  }
  return { ports: opts.ports, host, pid: d.child.pid!, dir, output: () => d.out, stop };
}
