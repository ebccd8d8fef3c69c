/**
 * Real hosts that can really fail, for the simulator (root only).
 *
 * One network namespace `pwsim<n>` joined to the root namespace by a veth pair on 10.251.K.0/24:
 *   root side  10.251.K.1   (the simulator's SNMP agents for these hosts bind here)
 *   ns side    10.251.K.2   + one address per simulated host (10.251.K.10 ...)
 * ICMP to a host is answered by the namespace's kernel. SNMP to HOST:PORT is DNATed inside the
 * namespace to 10.251.K.1:PORT (and masqueraded, so replies go back through the namespace), so
 * both kinds of traffic cross the namespace, where the faults are iptables rules in the raw table:
 *   down    -d HOST -j DROP
 *   lossy   -d HOST -m statistic --mode random --probability P -j DROP
 * Only addresses inside the namespace we create are ever used.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface NetnsHost {
  id: string;
  port: number;
}

export type NetFault = { kind: 'down' } | { kind: 'lossy'; p: number } | null;

export interface SimNetns {
  name: string;
  /** Root-side address: bind the agents of namespace hosts here. */
  rootAddr: string;
  /** Site id → address inside the namespace. */
  hosts: Map<string, string>;
  /** Replace the network fault of one host (null = healthy). */
  setFault(id: string, fault: NetFault): Promise<void>;
  /** Remove the namespace and the veth pair. Safe to call twice. */
  close(): Promise<void>;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

async function sh(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { timeout: 10_000 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${(e.stderr || e.message).trim()}`, { cause: err });
  }
}

/** A /24 under 10.251/16 that no route of the root namespace uses yet. */
async function freeSubnet(seed: number): Promise<number> {
  const routes = await sh('ip', ['-4', 'route', 'show']);
  for (let k = 0; k < 254; k++) {
    const K = ((seed + k) % 254) + 1;
    if (!routes.includes(`10.251.${K}.`)) return K;
  }
  throw new Error('netns: no free 10.251.K.0/24 subnet');
}

/** Remove namespaces left behind by simulators that died without cleaning up (name prefix pwsim, pid gone). */
export async function reapStaleNamespaces(): Promise<string[]> {
  const out = await sh('ip', ['netns', 'list']).catch(() => '');
  const reaped: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^(pwsim(\d+)x\d+)\b/.exec(line.trim());
    if (!m) continue;
    const pid = Number(m[2]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) {
      await sh('ip', ['netns', 'del', m[1]!]).catch(() => undefined);
      reaped.push(m[1]!);
    }
  }
  return reaped;
}

let seq = 0;

export async function createSimNetns(hosts: NetnsHost[]): Promise<SimNetns> {
  if (!isRoot()) throw new Error('netns: creating a network namespace needs root');
  if (hosts.length > 240) throw new Error(`netns: at most 240 hosts per namespace (asked for ${hosts.length})`);
  seq++;
  const name = `pwsim${process.pid}x${seq}`;
  const tag = `${(process.pid % 100000).toString(36)}${seq}`;
  const va = `pwsa${tag}`.slice(0, 15);
  const vb = `pwsb${tag}`.slice(0, 15);
  const K = await freeSubnet(process.pid + seq);
  const rootAddr = `10.251.${K}.1`;
  const nsAddr = `10.251.${K}.2`;
  const ns = (...args: string[]) => sh('ip', ['netns', 'exec', name, ...args]);
  const hostMap = new Map<string, string>();
  const faults = new Map<string, string[]>();
  let closed = false;

  const close = async () => {
    if (closed) return;
    closed = true;
    await sh('ip', ['netns', 'del', name]).catch(() => undefined);
    // deleting the namespace deletes vb and with it its peer va; make sure
    await sh('ip', ['link', 'del', va]).catch(() => undefined);
  };

  try {
    await sh('ip', ['netns', 'add', name]);
    await sh('ip', ['link', 'add', va, 'type', 'veth', 'peer', 'name', vb]);
    await sh('ip', ['link', 'set', vb, 'netns', name]);
    await sh('ip', ['addr', 'add', `${rootAddr}/24`, 'dev', va]);
    await sh('ip', ['link', 'set', va, 'up']);
    await ns('ip', 'link', 'set', 'lo', 'up');
    await ns('ip', 'addr', 'add', `${nsAddr}/24`, 'dev', vb);
    await ns('ip', 'link', 'set', vb, 'up');
    await ns('sysctl', '-q', '-w', 'net.ipv4.ip_forward=1');
    await ns('sysctl', '-q', '-w', 'net.ipv4.conf.all.send_redirects=0');
    await ns('sysctl', '-q', '-w', `net.ipv4.conf.${vb}.send_redirects=0`);
    const restore: string[] = ['*nat'];
    hosts.forEach((h, i) => {
      const addr = `10.251.${K}.${10 + i}`;
      hostMap.set(h.id, addr);
      restore.push(`-A PREROUTING -d ${addr}/32 -p udp --dport ${h.port} -j DNAT --to-destination ${rootAddr}:${h.port}`);
    });
    restore.push(`-A POSTROUTING -o ${vb} -d ${rootAddr}/32 -p udp -j MASQUERADE`, 'COMMIT', '');
    for (const [, addr] of hostMap) await ns('ip', 'addr', 'add', `${addr}/24`, 'dev', vb);
    await new Promise<void>((resolve, reject) => {
      const child = execFile('ip', ['netns', 'exec', name, 'iptables-restore', '--noflush'], { timeout: 10_000 }, (err, _o, stderr) =>
        err ? reject(new Error(`iptables-restore in ${name}: ${stderr || err.message}`)) : resolve(),
      );
      child.stdin!.end(restore.join('\n'));
    });
  } catch (err) {
    await close();
    throw err;
  }

  return {
    name,
    rootAddr,
    hosts: hostMap,
    async setFault(id, fault) {
      const addr = hostMap.get(id);
      if (!addr) throw new Error(`netns: site ${id} is not a namespace host`);
      const old = faults.get(id);
      if (old) {
        await ns('iptables', '-t', 'raw', '-D', 'PREROUTING', ...old).catch(() => undefined);
        faults.delete(id);
      }
      if (!fault) return;
      const rule =
        fault.kind === 'down'
          ? ['-d', `${addr}/32`, '-j', 'DROP']
          : ['-d', `${addr}/32`, '-m', 'statistic', '--mode', 'random', '--probability', String(fault.p), '-j', 'DROP'];
      await ns('iptables', '-t', 'raw', '-A', 'PREROUTING', ...rule);
      faults.set(id, rule);
    },
    close,
  };
}
