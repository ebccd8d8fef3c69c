/**
 * A daemon a test helper starts (snmpd, snmpsimd): its output kept (up to a cap) for the
 * helper's readiness check and error messages, whether it has exited, and a stop that asks
 * (SIGTERM) and insists after 3 s (SIGKILL). The helper removes its own files after `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Daemon {
  child: ChildProcess;
  /** stdout and stderr as they came, until `maxOutput` characters are kept (whole chunks), and a spawn error, if any. */
  readonly out: string;
  /** It exited, or could not be started. */
  readonly exited: boolean;
  stop(): Promise<void>;
}

export function spawnDaemon(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; maxOutput: number }): Daemon {
  const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: string) => { if (out.length < opts.maxOutput) out += d; };
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  let exited = false;
  const exitP = new Promise<void>((resolve) => {
    child.once('exit', () => { exited = true; resolve(); });
    // a command that cannot be started may never emit 'exit'
    child.once('error', (err) => { out += `spawn error: ${err.message}\n`; if (child.pid === undefined) { exited = true; resolve(); } });
  });
  return {
    child,
    get out() { return out; },
    get exited() { return exited; },
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exitP;
      clearTimeout(t);
    },
  };
}
