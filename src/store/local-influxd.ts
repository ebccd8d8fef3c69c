/**
 * Start a private InfluxDB 1.x (`influxd`) on loopback, with its data in one folder.
 * Used by the integration tests (tests/helpers/influxd.ts) and by the CLI demo (`.data/influxd`).
 *
 * The config follows /work/shared/notes/components.md: HTTP and RPC on loopback ports (the RPC
 * default 8088 is moved), reporting disabled, meta/data/wal under `dir`, CQs checked every
 * `cqRunInterval` (1 s by default so tests see rollups quickly), no HTTP or query logging.
 * influxd's own log goes to `<dir>/influxd.log` and its tail is quoted when start-up fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { RuntimeError } from '../core/errors.js';

/** Where the CLI demo keeps its InfluxDB data (relative to the working directory). */
export const DEFAULT_LOCAL_INFLUXD_DIR = '.data/influxd';

/** The local influxd folder inside a pointwatch `data_dir`. */
export function localInfluxdDir(dataDir: string): string {
  return path.join(dataDir, 'influxd');
}

export interface Influxd {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  dir: string;
  pid(): number | undefined;
  /** SIGTERM, wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL, wait for exit. */
  kill(): Promise<void>;
  /** Start again on the same data dir and the same port (stops first if running). */
  restart(): Promise<void>;
}

export interface StartInfluxdOptions {
  /** Data folder (created). Default: `.data/influxd` under the working directory (the demo's). */
  dir?: string;
  /** HTTP port on 127.0.0.1. Default: a free port. */
  port?: number;
  /** CQ run interval, e.g. '1s'. */
  cqRunInterval?: string;
  /** Path of the influxd binary. */
  binary?: string;
  /** Milliseconds to wait for /ping. */
  startTimeoutMs?: number;
}

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * [data] settings pointwatch runs InfluxDB with, here and in docker-compose.yml (as INFLUXDB_DATA_*).
 * Why 512 MB snapshots: each snapshot sorts every series key in the cache, so fewer, larger ones cost
 * influxd less CPU for the same points, for up to 512 MB of cache in RAM (docs/performance.md).
 */
export const INFLUXD_DATA_TUNING = { 'cache-snapshot-memory-size': '512m' } as const;

export function influxdConfig(dir: string, httpPort: number, rpcPort: number, cqRunInterval = '1s'): string {
  const q = (p: string) => JSON.stringify(p); // TOML basic strings accept JSON string escapes
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = ${q(path.join(dir, 'meta'))}
[data]
  dir = ${q(path.join(dir, 'data'))}
  wal-dir = ${q(path.join(dir, 'wal'))}
  query-log-enabled = false
${Object.entries(INFLUXD_DATA_TUNING).map(([k, v]) => `  ${k} = ${JSON.stringify(v)}`).join('\n')}
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
[continuous_queries]
  log-enabled = false
  run-interval = "${cqRunInterval}"
[logging]
  level = "warn"
  suppress-logo = true
`;
}

function findBinary(binary: string): string {
  if (binary.includes('/')) {
    if (fs.existsSync(binary)) return binary;
  } else {
    const r = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
    const p = r.stdout.trim();
    if (r.status === 0 && p) return p;
  }
  throw new RuntimeError(
    `influxd not found (${binary}): install InfluxDB 1.x (Debian: apt-get install -y influxdb) or run scripts/setup.sh`,
  );
}

function tail(file: string, n = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

async function pingOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
    return res.status === 204;
  } catch {
    return false;
  }
}

function waitExit(child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill(signal);
  });
}

export async function startInfluxd(opts: StartInfluxdOptions = {}): Promise<Influxd> {
  const binary = findBinary(opts.binary ?? 'influxd');
  const dir = path.resolve(opts.dir ?? DEFAULT_LOCAL_INFLUXD_DIR);
  fs.mkdirSync(dir, { recursive: true });
  const port = opts.port ?? (await freeLoopbackPort());
  const url = `http://127.0.0.1:${port}`;
  const configFile = path.join(dir, 'influxd.conf');
  const logFile = path.join(dir, 'influxd.log');
  const timeoutMs = opts.startTimeoutMs ?? 20_000;
  let child: ChildProcess | undefined;

  async function launch(): Promise<void> {
    if (await pingOk(url)) throw new RuntimeError(`port ${port} already answers /ping: another influxd is running there`);
    const rpcPort = await freeLoopbackPort();
    fs.writeFileSync(configFile, influxdConfig(dir, port, rpcPort, opts.cqRunInterval));
    const log = fs.openSync(logFile, 'a');
    const c = spawn(binary, ['run', '-config', configFile], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    child = c;
    let exited: string | undefined;
    c.once('exit', (code, sig) => {
      exited = `exited with ${sig ?? `code ${code}`}`;
    });
    c.once('error', (err) => {
      exited = `failed to start: ${err.message}`;
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exited) break;
      if (await pingOk(url)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!exited) await waitExit(c, 'SIGKILL', 2000);
    child = undefined;
    throw new RuntimeError(
      `influxd on ${url} did not start (${exited ?? `no /ping 204 within ${timeoutMs} ms`}); log ${logFile}:\n${tail(logFile)}`,
    );
  }

  async function halt(signal: NodeJS.Signals): Promise<void> {
    const c = child;
    child = undefined;
    if (c) await waitExit(c, signal, 10_000);
  }

  await launch();
  return {
    url,
    port,
    dir,
    pid: () => child?.pid,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    async restart() {
      await halt('SIGTERM');
      await launch();
    },
  };
}
