import { describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../config/defaults.js';
import { ManualClock } from '../core/clock.js';
import { InputError } from '../core/errors.js';
import { createLogger, silentLogger } from '../core/logger.js';
import type { CycleOptions, CycleStats, Poller } from '../poller/index.js';
import { createScheduler } from './index.js';

/** A recording fake poller: what each cycle was asked to do. */
function fakePoller(hold?: Promise<void>) {
  const calls: Array<{ cycle: number; opts: CycleOptions }> = [];
  const poller: Poller = {
    sites: [],
    async runCycle(cycle, opts = {}) {
      calls.push({ cycle, opts });
      await hold;
      return { cycle, started: 0, duration_ms: 0, sites: 0, checks: 0, rechecked: 0, failed: 0, recovered: 0, unknown: 0, snmp_timeouts: 0, snmp_errors: 0, snmp_skipped: 0, snmp_late: 0, batches: 0 } satisfies CycleStats;
    },
  };
  return { poller, calls };
}

const settings = (ping: number, system: number, interfaces: number) =>
  settingsWithDefaults({ poller: { ping: { interval_s: ping }, snmp: { system_interval_s: system, interfaces_interval_s: interfaces } } });
const at = (s: number) => Date.UTC(2026, 0, 1) + s * 1000;

describe('scheduler ticks', () => {
  it('asks the poller for exactly the kinds due at each tick', async () => {
    const clock = new ManualClock(at(0));
    const { poller, calls } = fakePoller();
    const sched = createScheduler({ settings: settings(20, 30, 60), poller, clock, logger: silentLogger() });
    expect(sched.counters()).toMatchObject({ tick_s: 10, pattern: '*/10 * * * * *' });
    const outcomes = [];
    for (const s of [0, 10, 20, 30, 40, 60]) {
      clock.set(at(s));
      outcomes.push(await sched.tick());
    }
    expect(outcomes).toEqual(['ran', 'idle', 'ran', 'ran', 'ran', 'ran']);
    expect(calls.map((c) => [c.cycle, c.opts.ping, c.opts.snmp, c.opts.interfaces])).toEqual([
      [1, true, true, true], // :00 everything
      [2, true, false, false], // :20 ping
      [3, false, true, false], // :30 system
      [4, true, false, false], // :40 ping
      [5, true, true, true], // :60 everything
    ]);
    expect(sched.counters().cycles).toBe(5);
  });

  it('an overrunning cycle is never stacked: the tick is counted as an overrun', async () => {
    let release!: () => void;
    const { poller, calls } = fakePoller(new Promise<void>((r) => (release = r)));
    const sched = createScheduler({ settings: settings(30, 60, 60), poller, clock: new ManualClock(at(0)), logger: silentLogger() });
    const first = sched.tick();
    expect(await sched.tick()).toBe('overrun');
    release();
    expect(await first).toBe('ran');
    expect(calls).toHaveLength(1);
    expect(sched.counters()).toMatchObject({ cycles: 1, overruns: 1, running: false });
  });

  it('refuses intervals that cannot tick evenly, naming the field', () => {
    const { poller } = fakePoller();
    expect(() => createScheduler({ settings: settings(45, 60, 60), poller, clock: new ManualClock(), logger: silentLogger() })).toThrow(InputError);
    expect(() => createScheduler({ settings: settings(30, 90, 60), poller, clock: new ManualClock(), logger: silentLogger() })).toThrow(
      'poller.snmp.system_interval_s: 90 s cannot be scheduled evenly',
    );
  });
});

describe('scheduler memory after a cycle', () => {
  let collections = 0;
  const collect = () => { collections++; };
  const runOne = async (rss_budget_mb: number) => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(l) } });
    const { poller } = fakePoller();
    const sched = createScheduler({
      settings: settingsWithDefaults({ poller: { rss_budget_mb, ping: { interval_s: 30 }, snmp: { system_interval_s: 60, interfaces_interval_s: 60 } } }),
      poller, clock: new ManualClock(at(0)), logger, collect,
    });
    expect(await sched.tick()).toBe('ran');
    const done = lines.map((l) => JSON.parse(l) as { msg: string; rss_mb?: number; gc_ms?: number | null }).find((l) => l.msg === 'cycle finished');
    expect(done, 'a "cycle finished" line').toBeDefined();
    return done!;
  };

  it('collects only when the RSS is above poller.rss_budget_mb (not after every cycle: it costs the next cycle its optimized code)', async () => {
    const under = await runOne(1_000_000);
    expect(under.rss_mb).toBeGreaterThan(10);
    expect(under.gc_ms).toBeNull();
    const never = await runOne(0);
    expect(never.gc_ms).toBeNull();
    expect(collections).toBe(0);
    const over = await runOne(1);
    expect(over.gc_ms).toBeGreaterThanOrEqual(0);
    expect(collections).toBe(1);
  });
});
