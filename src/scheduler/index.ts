/**
 * node-cron wiring of the poll cycle. One task ticks every gcd(ping, system, interfaces
 * intervals) seconds, aligned to the clock; each tick runs ONE cycle doing the kinds that are
 * due (so a site gets one SiteCheck with ping and SNMP together when both are due), through a
 * JobGuard: no overlapping cycles (overruns counted and logged), a timeout, a start jitter.
 * node-cron gets our logger, so it never prints its own coloured warnings.
 */
import { compactIfAbove, type Collector } from '../core/memory.js';
import cron, { type ScheduledTask, type TaskContext } from 'node-cron';
import type { Settings } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { CycleStats, Poller } from '../poller/index.js';
import { JobGuard, type GuardOutcome } from './guard.js';
import { basePeriod, cronPattern, dueKinds, type KindIntervals, type Kinds } from './plan.js';

export { JobGuard } from './guard.js';
export * from './plan.js';

export interface SchedulerDeps {
  settings: Settings;
  poller: Poller;
  clock: Clock;
  logger: Logger;
  /** Random start delay per cycle (ms), default 0. Useful when several shards share an uplink. */
  jitterMs?: number;
  /** Give up waiting for a cycle after this long; default 3 × the tick period. */
  timeoutMs?: number;
  /** Run one full cycle (all kinds) at start(), default true. */
  runAtStart?: boolean;
  /** Called after every finished cycle (store flush, metrics...). */
  onCycle?: (stats: CycleStats, kinds: Kinds) => void;
  /** V8's collector (node --expose-gc), for a full collection after a cycle over poller.rss_budget_mb; null: never. */
  collect?: Collector | null;
}

export interface SchedulerCounters {
  /** Cycles started. */
  cycles: number;
  /** Ticks skipped because the previous cycle was still running. */
  overruns: number;
  timeouts: number;
  failures: number;
  running: boolean;
  last_cycle_started: number | null;
  last_cycle_duration_ms: number | null;
  /** Tick period (s) and cron pattern in use. */
  tick_s: number;
  pattern: string;
}

export interface Scheduler {
  start(): void;
  /** Stop ticking and wait for the running cycle to finish. */
  stop(): Promise<void>;
  counters(): SchedulerCounters;
  /** Run one tick now (what a cron tick does); exposed for tests and `poll --cycles`. */
  tick(kinds?: Kinds): Promise<GuardOutcome | 'idle'>;
}

export function intervalsOf(settings: Settings): KindIntervals {
  return {
    ping: settings.poller.ping.interval_s,
    system: settings.poller.snmp.system_interval_s,
    interfaces: settings.poller.snmp.interfaces_interval_s,
  };
}

/** Adapts pino to node-cron's logger interface (constant messages, data in fields). */
function cronLogger(log: Logger) {
  return {
    info: (m: string) => log.debug({ detail: m }, 'node-cron'),
    warn: (m: string) => log.warn({ detail: m }, 'node-cron'),
    error: (m: string | Error, e?: Error) => log.error({ detail: String(m), err: e?.message }, 'node-cron'),
    debug: (m: string | Error) => log.debug({ detail: String(m) }, 'node-cron'),
  };
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const iv = intervalsOf(deps.settings);
  const base = basePeriod(iv); // throws InputError naming the field
  const pattern = cronPattern(base);
  const log = deps.logger.child({ component: 'scheduler' });
  const guard = new JobGuard({
    name: 'poll-cycle',
    clock: deps.clock,
    logger: deps.logger,
    timeoutMs: deps.timeoutMs ?? base * 3000,
    jitterMs: deps.jitterMs ?? 0,
  });
  let cycle = 0;
  let task: ScheduledTask | null = null;

  const tick = async (kinds: Kinds = dueKinds(deps.clock.now(), iv, base)): Promise<GuardOutcome | 'idle'> => {
    // e.g. ping 20 s + system 30 s tick every 10 s, and at :10 nothing is due
    if (!kinds.ping && !kinds.system && !kinds.interfaces) return 'idle';
    return guard.run(async () => {
      cycle++;
      const stats = await deps.poller.runCycle(cycle, {
        ping: kinds.ping,
        snmp: kinds.system || kinds.interfaces,
        system: kinds.system || kinds.interfaces,
        interfaces: kinds.interfaces,
        interval_s: iv.interfaces,
        // Spread requests over half the TICK (not half the SNMP interval): the other half is left
        // for the slowest site's deadline and the fast re-check, so a cycle ends before the next tick.
        spreadMs: deps.settings.poller.spread ? Math.floor(base * 1000 * 0.5) : 0,
      });
      // idle until the next tick: over the memory budget, give back the heap the cycle's burst grew (core/memory.ts)
      const { rss_mb, gc_ms } = compactIfAbove(deps.settings.poller.rss_budget_mb, deps.collect ?? null);
      log.info(
        { cycle, kinds, duration_ms: stats.duration_ms, sites: stats.sites, rechecked: stats.rechecked, failed: stats.failed, rss_mb, gc_ms: gc_ms === null ? null : Math.round(gc_ms) },
        'cycle finished',
      );
      deps.onCycle?.(stats, kinds);
    });
  };

  return {
    start() {
      if (task) return;
      task = cron.schedule(pattern, (ctx: TaskContext) => tick(dueKinds(ctx.date.getTime(), iv, base)), {
        name: 'pointwatch-poll',
        noOverlap: true,
        logger: cronLogger(log),
      });
      task.on('execution:overlap', () => guard.noteOverrun());
      log.info({ pattern, tick_s: base, intervals: iv }, 'scheduler started');
      if (deps.runAtStart ?? true) void tick({ ping: true, system: true, interfaces: true });
    },
    async stop() {
      if (task) {
        await task.stop();
        await task.destroy();
        task = null;
      }
      await guard.idle();
      log.info({ cycles: guard.stats.runs }, 'scheduler stopped');
    },
    counters: () => ({
      cycles: guard.stats.runs,
      overruns: guard.stats.overruns,
      timeouts: guard.stats.timeouts,
      failures: guard.stats.failures,
      running: guard.stats.running,
      last_cycle_started: guard.stats.last_started,
      last_cycle_duration_ms: guard.stats.last_duration_ms,
      tick_s: base,
      pattern,
    }),
    tick,
  };
}
