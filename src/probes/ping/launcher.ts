/**
 * Runs fping through a few long-lived `/bin/sh` processes instead of spawning it from the service.
 *
 * Why: a fork costs in proportion to the forking process's memory, on the event loop; a small shell
 * forks fping for a fraction of what the big poller would (docs/performance.md).
 *
 * Protocol, one request at a time per shell: Node writes one line `cmd arg...` (every word checked
 * against SAFE_WORD: no blanks, quotes or glob characters, so the shell's word splitting is exact;
 * globbing is off too); the shell runs it with stdout dropped and stderr (fping's results) sent to
 * its own stdout, then prints `@@pw-exit <code>` on a line of its own. A request that passes its
 * deadline kills the shell's whole process group (the fping in it too); the next request starts a
 * fresh shell. Shells idle for IDLE_MS exit, and none keeps the service alive.
 * Anything not safe to pass this way runs through a direct spawn (`runCommand`) instead.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Socket } from 'node:net';
import { CommandTimeoutError, MAX_OUTPUT, runCommand, type RunCommand } from './command.js';

/** A word the shell passes through unchanged when split on blanks with globbing off. */
export const SAFE_WORD = /^[A-Za-z0-9_./:%@=+,-]+$/;
export const EXIT_MARK = '@@pw-exit ';
/**
 * Longer than any usual ping interval (default 30 s, the bench's 60 s cycle): a shell that exits
 * between two cycles is forked again from the big process next cycle, the cost this file avoids.
 */
const IDLE_MS = 300_000;
const SCRIPT = `set -f
while IFS= read -r line; do
  set -- $line
  "$@" 2>&1 >/dev/null </dev/null
  printf '\\n${EXIT_MARK}%s\\n' "$?"
done`;

interface Job {
  line: string;
  timeoutMs: number;
  resolve: (r: { code: number | null; stdout: string; stderr: string }) => void;
  reject: (err: unknown) => void;
}

class Shell {
  readonly proc: ChildProcessWithoutNullStreams;
  job: Job | null = null;
  private out = '';
  private timer: NodeJS.Timeout | null = null;
  private idle: NodeJS.Timeout | null = null;
  dead = false;

  constructor(private readonly onFree: (s: Shell) => void, private readonly onDead: (s: Shell) => void) {
    this.proc = spawn('/bin/sh', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.proc.unref();
    for (const s of [this.proc.stdin, this.proc.stdout, this.proc.stderr]) (s as unknown as Socket).unref?.();
    this.proc.stdout.setEncoding('utf8').on('data', (d: string) => this.data(d));
    this.proc.stderr.resume(); // the shell's own complaints; fping's stderr comes on stdout
    this.proc.once('error', (err) => this.die(err));
    this.proc.once('exit', (code, signal) => this.die(new Error(`fping launcher shell exited (${signal ?? code})`)));
    this.proc.stdin.on('error', () => { /* the exit handler reports it */ });
  }

  run(job: Job): void {
    if (this.idle) { clearTimeout(this.idle); this.idle = null; }
    this.job = job;
    this.out = '';
    this.timer = setTimeout(() => {
      this.finish((j) => j.reject(new CommandTimeoutError(`${job.line.split(' ', 1)[0]} did not finish within ${job.timeoutMs} ms (killed)`)));
      this.kill();
    }, job.timeoutMs);
    this.proc.stdin.write(`${job.line}\n`);
  }

  private data(d: string): void {
    if (!this.job) return;
    if (this.out.length < MAX_OUTPUT) this.out += d;
    const at = this.out.lastIndexOf(`\n${EXIT_MARK}`);
    if (at < 0) return;
    const end = this.out.indexOf('\n', at + 1 + EXIT_MARK.length);
    if (end < 0) return;
    const code = Number(this.out.slice(at + 1 + EXIT_MARK.length, end));
    const stderr = this.out.slice(0, at);
    this.finish((j) => j.resolve({ code: Number.isInteger(code) ? code : null, stdout: '', stderr }));
    this.onFree(this);
  }

  private finish(settle: (j: Job) => void): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    const j = this.job;
    this.job = null;
    this.out = '';
    if (j) settle(j);
    if (!this.dead) {
      this.idle = setTimeout(() => this.kill(), IDLE_MS);
      this.idle.unref();
    }
  }

  private die(err: unknown): void {
    if (this.dead) return;
    this.dead = true;
    if (this.idle) clearTimeout(this.idle);
    this.finish((j) => j.reject(err));
    this.onDead(this);
  }

  kill(): void {
    try {
      if (this.proc.pid) process.kill(-this.proc.pid, 'SIGKILL');
    } catch { /* already gone */ }
    this.die(new Error('fping launcher shell killed'));
  }
}

export interface Launcher {
  run: RunCommand;
  /** PIDs of the live shells (their children's CPU is in /proc/PID/stat cutime/cstime). */
  pids(): number[];
  /** Kill every shell; resolves once they have exited (and been reaped). */
  close(): Promise<void>;
}

/** A pool of at most `size` shells; requests beyond that wait their turn. */
export function createLauncher(size: number): Launcher {
  const shells = new Set<Shell>();
  const free: Shell[] = [];
  const queue: Job[] = [];

  const next = () => {
    while (queue.length) {
      let sh = free.pop();
      while (sh && sh.dead) sh = free.pop();
      if (!sh) {
        if (shells.size >= size) return;
        try {
          sh = new Shell(
            (s) => { free.push(s); next(); },
            (s) => { shells.delete(s); const i = free.indexOf(s); if (i >= 0) free.splice(i, 1); next(); },
          );
        } catch (err) {
          queue.shift()!.reject(err);
          continue;
        }
        shells.add(sh);
      }
      sh.run(queue.shift()!);
    }
  };

  const run: RunCommand = (cmd, args, opts) => {
    if (![cmd, ...args].every((w) => SAFE_WORD.test(w))) return runCommand(cmd, args, opts);
    return new Promise((resolve, reject) => {
      queue.push({ line: [cmd, ...args].join(' '), timeoutMs: opts.timeoutMs, resolve, reject });
      next();
    });
  };

  return {
    run,
    pids: () => [...shells].filter((s) => !s.dead && s.proc.pid).map((s) => s.proc.pid!),
    async close() {
      const live = [...shells];
      const exited = live.map((s) => new Promise<void>((r) => {
        if (s.proc.exitCode !== null || s.proc.signalCode !== null) r();
        else {
          s.proc.ref(); // the shells are unref'd: without this the loop could end before 'exit' comes
          s.proc.once('exit', () => r());
        }
      }));
      for (const s of live) s.kill();
      for (const j of queue.splice(0)) j.reject(new Error('fping launcher closed'));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(exited), new Promise((r) => { timer = setTimeout(r, 2000); })]);
      clearTimeout(timer);
    },
  };
}
