/**
 * A real influxd for integration tests: free loopback ports, data in a temp dir, CQs every 1 s.
 *
 *   const influxd = await startInfluxd();          // throws (test FAILS) when influxd is missing
 *   const influx = new InfluxDB({ host: '127.0.0.1', port: influxd.port, database: 'x' });
 *   ...
 *   afterAll(() => influxd.destroy());             // stop + remove the temp dir
 *
 * `kill()` is SIGKILL, `restart()` reuses the same data dir and port. The start logic lives in
 * src/store/local-influxd.ts (shared with the CLI demo).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startInfluxd as startLocal, type Influxd as LocalInfluxd } from '../../src/store/local-influxd.js';

export interface Influxd extends LocalInfluxd {
  /** stop() and remove the data dir when the helper created it. */
  destroy(): Promise<void>;
}

const live = new Set<LocalInfluxd>();
let hooked = false;

export async function startInfluxd(opts: { dir?: string; cqRunInterval?: string } = {}): Promise<Influxd> {
  if (!hooked) {
    hooked = true;
    // A crashed test file must not leave daemons behind: kill by PID on exit.
    process.once('exit', () => {
      for (const d of live) {
        const pid = d.pid();
        if (pid) try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    });
  }
  const ownDir = !opts.dir;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pw-influxd-'));
  const d = await startLocal({ dir, cqRunInterval: opts.cqRunInterval ?? '1s' });
  live.add(d);
  return {
    ...d,
    async destroy() {
      await d.stop();
      live.delete(d);
      if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
