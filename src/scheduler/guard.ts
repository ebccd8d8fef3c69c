/**
 * The run-job guard: at most one run of a job at a time (an overrun is counted and logged,
 * never stacked), a random start jitter, and a timeout after which the guard stops waiting
 * (the run is counted as timed out; the next tick may start). Durations come from the injected
 * clock; the timeout is a real timer.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { errorMessage } from '../core/errors.js';

export type GuardOutcome = 'ran' | 'overrun' | 'timeout' | 'failed';

export interface GuardStats {
  runs: number;
  overruns: number;
  timeouts: number;
  failures: number;
  running: boolean;
  last_started: number | null;
  last_duration_ms: number | null;
}

export interface JobGuardOptions {
  name: string;
  clock: Clock;
  logger: Logger;
  /** Give up waiting after this long (ms). 0 = never. */
  timeoutMs: number;
  /** Wait a random 0..jitterMs before each run. */
  jitterMs?: number;
  random?: () => number;
}

export class JobGuard {
  readonly stats: GuardStats = {
    runs: 0, overruns: 0, timeouts: 0, failures: 0, running: false, last_started: null, last_duration_ms: null,
  };
  private current: Promise<unknown> | null = null;
  private readonly log: Logger;

  constructor(private readonly opts: JobGuardOptions) {
    this.log = opts.logger.child({ component: 'scheduler', job: opts.name });
  }

  /** Count an overrun seen elsewhere (node-cron's own noOverlap skip). */
  noteOverrun(): void {
    this.stats.overruns++;
    this.log.warn({ overruns: this.stats.overruns }, 'job still running at the next tick: tick skipped');
  }

  async run(job: () => Promise<unknown>): Promise<GuardOutcome> {
    if (this.stats.running) {
      this.noteOverrun();
      return 'overrun';
    }
    this.stats.running = true;
    const { clock } = this.opts;
    try {
      const jitter = this.opts.jitterMs ? Math.floor((this.opts.random ?? Math.random)() * this.opts.jitterMs) : 0;
      if (jitter > 0) await clock.sleep(jitter);
      const started = clock.now();
      this.stats.last_started = started;
      this.stats.runs++;
      const p = Promise.resolve().then(job);
      this.current = p.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const timeout = this.opts.timeoutMs > 0
        ? new Promise<'timeout'>((resolve) => {
            timer = setTimeout(() => resolve('timeout'), this.opts.timeoutMs);
          })
        : null;
      try {
        const r = await (timeout ? Promise.race([p.then(() => 'ok' as const), timeout]) : p.then(() => 'ok' as const));
        this.stats.last_duration_ms = clock.now() - started;
        if (r === 'timeout') {
          this.stats.timeouts++;
          this.log.error({ timeout_ms: this.opts.timeoutMs, timeouts: this.stats.timeouts }, 'job timed out: no longer waited for');
          return 'timeout';
        }
        return 'ran';
      } catch (err) {
        this.stats.last_duration_ms = clock.now() - started;
        this.stats.failures++;
        this.log.error({ err: errorMessage(err) }, 'job failed');
        return 'failed';
      } finally {
        clearTimeout(timer);
      }
    } finally {
      this.stats.running = false;
    }
  }

  /** Resolves when the last started run has really finished (even one that timed out). */
  async idle(): Promise<void> {
    await this.current;
  }
}
