import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { JobGuard } from './guard.js';

const deferred = () => {
  let resolve!: () => void;
  const p = new Promise<void>((r) => (resolve = r));
  return { p, resolve };
};

describe('JobGuard', () => {
  it('runs a job and records its duration from the clock', async () => {
    const clock = new ManualClock();
    const g = new JobGuard({ name: 't', clock, logger: silentLogger(), timeoutMs: 0 });
    expect(await g.run(async () => { clock.advance(1234); })).toBe('ran');
    expect(g.stats).toMatchObject({ runs: 1, overruns: 0, running: false, last_duration_ms: 1234 });
  });

  it('never stacks: a tick while a run is going is an overrun, counted, and the job is not started twice', async () => {
    const clock = new ManualClock();
    const g = new JobGuard({ name: 't', clock, logger: silentLogger(), timeoutMs: 0 });
    const d = deferred();
    let started = 0;
    const job = async () => { started++; await d.p; };
    const first = g.run(job);
    expect(await g.run(job)).toBe('overrun');
    expect(await g.run(job)).toBe('overrun');
    d.resolve();
    expect(await first).toBe('ran');
    expect(started).toBe(1);
    expect(g.stats).toMatchObject({ runs: 1, overruns: 2, running: false });
    expect(await g.run(async () => {})).toBe('ran');
  });

  it('a job that throws is counted as failed and releases the guard', async () => {
    const g = new JobGuard({ name: 't', clock: new ManualClock(), logger: silentLogger(), timeoutMs: 0 });
    expect(await g.run(async () => { throw new Error('boom'); })).toBe('failed');
    expect(g.stats).toMatchObject({ failures: 1, running: false });
  });

  it('times out: stops waiting, counts it, and idle() still waits for the real end', async () => {
    const g = new JobGuard({ name: 't', clock: new ManualClock(), logger: silentLogger(), timeoutMs: 20 });
    const d = deferred();
    let finished = false;
    expect(await g.run(async () => { await d.p; finished = true; })).toBe('timeout');
    expect(g.stats).toMatchObject({ timeouts: 1, running: false });
    const idle = g.idle();
    d.resolve();
    await idle;
    expect(finished).toBe(true);
  });

  it('waits a jitter in 0..jitterMs before the job (on the injected clock)', async () => {
    const clock = new ManualClock(0);
    const g = new JobGuard({ name: 't', clock, logger: silentLogger(), timeoutMs: 0, jitterMs: 1000, random: () => 0.5 });
    let at = -1;
    await g.run(async () => { at = clock.now(); });
    expect(at).toBe(500);
    expect(g.stats.last_started).toBe(500);
  });
});
