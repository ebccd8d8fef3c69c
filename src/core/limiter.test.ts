import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Limiter, mapLimit } from './limiter.js';

/** Let `n` microtask turns pass (a task "duration" without timers). */
async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await null;
}

/** Records how many tasks run at once and the order they start in. */
function tracker() {
  const t = {
    active: 0, peak: 0, started: [] as number[],
    async task(id: number, duration: number, fail = false): Promise<number> {
      t.started.push(id);
      t.active++;
      t.peak = Math.max(t.peak, t.active);
      try {
        await ticks(duration);
        if (fail) throw new Error(`task ${id} failed`);
        return id * 10;
      } finally {
        t.active--;
      }
    },
  };
  return t;
}

describe('Limiter', () => {
  const cases: Array<{ name: string; max: number; durations: number[]; peak: number }> = [
    { name: 'one slot runs them one by one', max: 1, durations: [3, 1, 2, 0], peak: 1 },
    { name: 'two slots, uneven durations', max: 2, durations: [5, 1, 1, 1, 4, 0, 2], peak: 2 },
    { name: 'more slots than tasks: all at once', max: 10, durations: [2, 2, 2], peak: 3 },
    { name: 'no cap (Infinity)', max: Infinity, durations: [1, 0, 3, 2, 1], peak: 5 },
    { name: 'zero-length tasks still queue', max: 3, durations: [0, 0, 0, 0, 0, 0, 0], peak: 3 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const l = new Limiter(c.max);
      const t = tracker();
      const out = await Promise.all(c.durations.map((d, i) => l.run(() => t.task(i, d))));
      expect(out).toEqual(c.durations.map((_, i) => i * 10));
      expect(t.peak).toBe(c.peak);
      expect(t.started).toEqual(c.durations.map((_, i) => i));
      expect(l.inUse).toBe(0);
      expect(l.pending).toBe(0);
      expect(l.idle).toBe(true);
    });
  }

  it('starts waiters in the order they asked (FIFO), 50,000 of them', async () => {
    const l = new Limiter(200);
    const t = tracker();
    const n = 50_000;
    const all = Array.from({ length: n }, (_, i) => l.run(() => t.task(i, i % 3)));
    expect(l.inUse).toBe(200);
    expect(l.pending).toBe(n - 200);
    await Promise.all(all);
    expect(t.peak).toBe(200);
    expect(t.started.length).toBe(n);
    expect(t.started.every((id, i) => id === i)).toBe(true);
    expect(l.idle).toBe(true);
  });

  it('never exceeds its cap, also when a new caller arrives in the microtask gap as a slot is released', async () => {
    for (let delay = 0; delay < 6; delay++) {
      const l = new Limiter(1);
      let active = 0;
      let max = 0;
      const track = async () => { active++; max = Math.max(max, active); await new Promise((r) => setTimeout(r, 5)); active--; };
      let release!: () => void;
      const hold = new Promise<void>((r) => (release = r));
      const a = l.run(() => hold);
      const waiter = l.run(track);
      release();
      let p: Promise<unknown> = Promise.resolve();
      for (let i = 0; i < delay; i++) p = p.then(() => {});
      const late = p.then(() => l.run(track));
      await Promise.all([a, waiter, late]);
      expect(max, `caller ${delay} microtasks after the release`).toBe(1);
      expect(l.inUse).toBe(0);
    }
  });

  it('a throwing or rejecting task releases its slot and the next waiter runs', async () => {
    const l = new Limiter(1);
    const syncThrow = l.run(() => { throw new Error('sync'); });
    const rejects = l.run(async () => { await ticks(2); throw new Error('async'); });
    const after = l.run(async () => 'ran');
    await expect(syncThrow).rejects.toThrow('sync');
    await expect(rejects).rejects.toThrow('async');
    await expect(after).resolves.toBe('ran');
    expect(l.idle).toBe(true);
  });

  it('acquire/release by hand: the ring keeps order when it grows while wrapped', async () => {
    const l = new Limiter(1);
    await l.acquire();
    const order: number[] = [];
    const waits: Array<Promise<void>> = [];
    const ask = (id: number) => waits.push(l.acquire().then(() => { order.push(id); }));
    for (let i = 0; i < 6; i++) ask(i); // ring of 8, head 0
    for (let i = 0; i < 5; i++) { l.release(); await waits[i]; } // waiters 0..4 got the slot in turn; head 5
    for (let i = 6; i < 20; i++) ask(i); // wraps around the end, then doubles twice while wrapped
    expect(l.pending).toBe(15);
    for (let i = 5; i < 20; i++) { l.release(); await waits[i]; }
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(l.inUse).toBe(1);
    l.release();
    expect(l.idle).toBe(true);
  });

  it('tryAcquire takes a free slot without waiting, and refuses when full', () => {
    const l = new Limiter(2);
    expect(l.tryAcquire()).toBe(true);
    expect(l.tryAcquire()).toBe(true);
    expect(l.tryAcquire()).toBe(false);
    l.release();
    expect(l.tryAcquire()).toBe(true);
    l.release();
    l.release();
    expect(l.idle).toBe(true);
  });

  it('a release without an acquire is a bug, not a silent extra slot', () => {
    expect(() => new Limiter(2).release()).toThrow('release() without acquire()');
  });

  const bad: Array<[string, number]> = [['zero', 0], ['negative', -1], ['fraction', 1.5], ['NaN', NaN]];
  for (const [name, max] of bad) {
    it(`rejects a cap that is ${name}`, () => {
      expect(() => new Limiter(max)).toThrow(RangeError);
    });
  }

  const arb = {
    max: fc.integer({ min: 1, max: 6 }),
    tasks: fc.array(fc.record({ duration: fc.nat(8), arriveAfter: fc.nat(4), fail: fc.boolean() }), { maxLength: 40 }),
  };

  it('property (run): random caps, durations, arrivals and failures: cap kept, waiters start in order, every slot back', async () => {
    await fc.assert(
      fc.asyncProperty(arb.max, arb.tasks, async (max, tasks) => {
        const l = new Limiter(max);
        const t = tracker();
        const waited: number[] = [];
        const results = await Promise.allSettled(tasks.map(async (task, i) => {
          await ticks(task.arriveAfter);
          if (l.inUse === max) waited.push(i);
          return l.run(() => t.task(i, task.duration, task.fail));
        }));
        expect(t.peak).toBeLessThanOrEqual(max);
        // run() starts fn at once on a free slot and a waiter's fn a microtask after its grant, so
        // a newcomer to a free slot may start before a waiter granted just before; among waiters: FIFO
        expect(t.started.filter((id) => waited.includes(id))).toEqual(waited);
        expect([...t.started].sort((a, b) => a - b)).toEqual(tasks.map((_, i) => i));
        results.forEach((r, i) => {
          if (tasks[i]!.fail) expect(r.status).toBe('rejected');
          else expect(r).toEqual({ status: 'fulfilled', value: i * 10 });
        });
        expect(l.idle).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('property (acquire/release): slots are granted strictly in the order asked', async () => {
    await fc.assert(
      fc.asyncProperty(arb.max, arb.tasks, async (max, tasks) => {
        const l = new Limiter(max);
        const t = tracker();
        const asked: number[] = [];
        await Promise.allSettled(tasks.map(async (task, i) => {
          await ticks(task.arriveAfter);
          asked.push(i);
          await l.acquire();
          try {
            return await t.task(i, task.duration, task.fail);
          } finally {
            l.release();
          }
        }));
        expect(t.peak).toBeLessThanOrEqual(max);
        expect(t.started).toEqual(asked);
        expect(l.idle).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('mapLimit', () => {
  it('maps in input order with at most `limit` running', async () => {
    const t = tracker();
    const durations = [4, 0, 2, 7, 1, 1, 3];
    const out = await mapLimit(durations, 3, (d, i) => t.task(i, d));
    expect(out).toEqual(durations.map((_, i) => i * 10));
    expect(t.peak).toBe(3);
    expect(t.started).toEqual(durations.map((_, i) => i));
  });

  it('an empty list is an empty result', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });

  it('the first rejection rejects the whole and starts nothing more', async () => {
    const t = tracker();
    const run = mapLimit([0, 1, 2, 3, 4, 5], 2, (x, i) => t.task(i, x === 1 ? 0 : 5, x === 1));
    await expect(run).rejects.toThrow('task 1 failed');
    await ticks(20);
    expect(t.started).toEqual([0, 1]);
    expect(t.active).toBe(0);
  });

  it('property: random limits and durations: results in order, cap kept', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.array(fc.nat(6), { maxLength: 50 }), async (limit, durations) => {
        const t = tracker();
        const out = await mapLimit(durations, limit, (d, i) => t.task(i, d));
        expect(out).toEqual(durations.map((_, i) => i * 10));
        expect(t.peak).toBe(Math.min(limit, durations.length));
      }),
      { numRuns: 200 },
    );
  });
});
