/**
 * Start a REAL snmpsimd (Debian snmpsim 0.4.5) on one loopback UDP port for tests.
 * Each data file is one simulated device; its v2c community is the file name without `.snmprec`.
 * Recorded devices come from /usr/share/doc/snmpsim/examples/data (gz files are unpacked here).
 *
 * snmpsimd is single-threaded and its `delay` variation sleeps: a slow device stalls every device of
 * the same process. Put a slow device in a process of its own.
 */
import { mkdtemp, mkdir, writeFile, readFile, rm, chown, chmod } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import snmp from 'net-snmp';
import { spawnDaemon } from './daemon.js';
import { freeUdpPorts } from './ports.js';

export const SNMPSIM_EXAMPLES = '/usr/share/doc/snmpsim/examples/data';

export interface SnmpsimFile {
  /** Community (file name without .snmprec), e.g. 'linux'. */
  name: string;
  /** snmprec text (`OID|TAG|VALUE` lines). */
  text?: string;
  /** Or copy from this path (.snmprec or .snmprec.gz). */
  from?: string;
}

export interface SnmpsimHandle {
  host: string;
  port: number;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

const READY_COMMUNITY = 'pwready';

export async function startSnmpsim(opts: { files: SnmpsimFile[]; port?: number; host?: string; startTimeoutMs?: number }): Promise<SnmpsimHandle> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freeUdpPorts(1))[0]!;
  const root = await mkdtemp(path.join(os.tmpdir(), 'pw-snmpsim-'));
  const dataDir = path.join(root, 'data');
  const cacheDir = path.join(root, 'cache');
  await mkdir(dataDir, { recursive: true });
  await mkdir(cacheDir, { recursive: true });
  await chmod(root, 0o755);
  await chmod(dataDir, 0o755);
  for (const f of opts.files) {
    let text = f.text;
    if (text === undefined && f.from) {
      const buf = await readFile(f.from);
      text = (f.from.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
    }
    if (text === undefined) throw new Error(`startSnmpsim: file ${f.name} has neither text nor from`);
    await writeFile(path.join(dataDir, `${f.name}.snmprec`), text.endsWith('\n') ? text : `${text}\n`, { mode: 0o644 });
  }
  await writeFile(path.join(dataDir, `${READY_COMMUNITY}.snmprec`), '1.3.6.1.2.1.1.1.0|4|ready\n', { mode: 0o644 });
  // snmpsimd drops to nobody/nogroup (required as root): the cache must be writable by it.
  if (process.getuid?.() === 0) await chown(cacheDir, 65534, 65534);
  else await chmod(cacheDir, 0o777);

  const args = [
    `--data-dir=${dataDir}`, `--cache-dir=${cacheDir}`, `--agent-udpv4-endpoint=${host}:${port}`,
    '--logging-method=null',
  ];
  if (process.getuid?.() === 0) args.push('--process-user=nobody', '--process-group=nogroup');
  const d = spawnDaemon('snmpsimd', args, { maxOutput: 50_000 });
  const stop = async () => {
    await d.stop();
    await rm(root, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  const session = snmp.createSession(host, READY_COMMUNITY, { port, timeout: 300, retries: 0, version: snmp.Version2c });
  session.on('error', () => {});
  try {
    for (;;) {
      if (d.exited) throw new Error(`snmpsimd exited: ${d.out.slice(0, 2000) || 'no output'}`);
      if (Date.now() > deadline) throw new Error(`snmpsimd not ready on ${host}:${port}: ${d.out.slice(0, 2000)}`);
      const ok = await new Promise<boolean>((resolve) => session.get(['1.3.6.1.2.1.1.1.0'], (err) => resolve(!err)));
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    session.close();
    await stop();
    throw err;
  }
  session.close();
  return { host, port, pid: d.child.pid!, dataDir, stop };
}
