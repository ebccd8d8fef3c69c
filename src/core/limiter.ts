/**
 * One concurrency limiter for the whole code base: the poller's global SNMP cap, the SNMP client's
 * per-agent cap, the fping batches and the report's InfluxDB queries.
 *
 * - FIFO: slots are granted in the order asked. `run` starts `fn` at once on a free slot and a
 *   waiter's `fn` a microtask after its grant.
 * - The cap is never exceeded: a released slot is handed straight to the next waiter (the count does
 *   not drop and rise again, so a caller arriving in the microtask gap cannot slip in before it).
 * - The waiting line is a ring buffer (head index + size, capacity doubled when full), never
 *   Array.shift: O(1) per waiter at 50,000 waiters, and it does not grow without bound when it never
 *   empties.
 * - Allocation: nothing on a free slot; one promise per waiter (its executor is made once per limiter,
 *   not a closure per waiter); a limiter that never queues is one small object (the SNMP client makes
 *   one per agent while requests to it are in flight).
 *
 * Why not p-limit (v7, yocto-queue): it is O(1) too, but every call goes through its queue (a node,
 * an item, two promises, a bound function and closures, and extra promise hops, even under the cap);
 * see docs/performance.md ("Concurrency limiter") for the measurement.
 */

type Waiter = () => void;

const RESOLVED: Promise<void> = Promise.resolve();
/** Capacity 0: shared by every limiter until its first waiter (never written: grow() replaces it first). */
const NONE: Array<Waiter | undefined> = [];

export class Limiter {
  private active = 0;
  /** Ring of waiters: buf[head], buf[(head + 1) & mask], …, `size` of them. Capacity 0 or a power of two. */
  private buf: Array<Waiter | undefined> = NONE;
  private head = 0;
  private size = 0;
  /** The promise executor of every waiter: made once, when the first caller has to wait (a limiter that never queues allocates nothing but itself). */
  private enqueue: ((resolve: Waiter) => void) | null = null;

  constructor(readonly max: number) {
    if (!(max >= 1 && (Number.isInteger(max) || max === Infinity))) throw new RangeError(`limiter: max must be an integer >= 1, got ${max}`);
  }

  /** Slots taken (never more than `max`). */
  get inUse(): number { return this.active; }
  /** Callers waiting for a slot. */
  get pending(): number { return this.size; }
  /** Nothing running and nobody waiting. */
  get idle(): boolean { return this.active === 0 && this.size === 0; }

  /** Take a slot if one is free now (no allocation). */
  tryAcquire(): boolean {
    if (this.active < this.max) { this.active++; return true; }
    return false;
  }

  /** Take a slot, waiting in line for it. Pair with exactly one `release()`. */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return RESOLVED;
    return this.wait();
  }

  /** Give a slot back: to the next waiter if there is one (the count stays), else free it. */
  release(): void {
    if (this.size > 0) {
      const next = this.buf[this.head]!;
      this.buf[this.head] = undefined;
      this.head = (this.head + 1) & (this.buf.length - 1);
      this.size--;
      next();
      return;
    }
    if (this.active === 0) throw new Error('limiter: release() without acquire()');
    this.active--;
  }

  /** Run `fn` in a slot; the slot is released however `fn` ends (a throw included). */
  async run<R>(fn: () => Promise<R> | R): Promise<R> {
    if (!this.tryAcquire()) await this.wait();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private wait(): Promise<void> {
    this.enqueue ??= (resolve: Waiter): void => {
      if (this.size === this.buf.length) this.grow();
      this.buf[(this.head + this.size) & (this.buf.length - 1)] = resolve;
      this.size++;
    };
    return new Promise<void>(this.enqueue);
  }

  private grow(): void {
    const old = this.buf;
    const cap = old.length;
    const buf = new Array<Waiter | undefined>(cap === 0 ? 8 : cap * 2).fill(undefined);
    for (let i = 0; i < this.size; i++) buf[i] = old[(this.head + i) & (cap - 1)];
    this.buf = buf;
    this.head = 0;
  }
}

/**
 * `fn` over `xs` with at most `limit` running at once, started in order; results in input order.
 * The first rejection rejects the whole and starts no further item (those already running finish on
 * their own; their results are dropped).
 */
export async function mapLimit<T, R>(xs: readonly T[], limit: number, fn: (x: T, i: number) => Promise<R> | R): Promise<R[]> {
  const limiter = new Limiter(Math.max(1, Math.min(limit, xs.length || 1)));
  let failed = false;
  const one = async (x: T, i: number): Promise<R> => {
    await limiter.acquire();
    try {
      if (failed) return undefined as R; // never seen: the result already rejected
      return await fn(x, i);
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      limiter.release();
    }
  };
  return Promise.all(xs.map(one));
}
