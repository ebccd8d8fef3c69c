/**
 * The point writer: batches points to InfluxDB, spools what InfluxDB does not take, replays the
 * spool in order once it is back, and reports its own health.
 *
 *   write(points)  validate against the declared schema, buffer; never blocks, never throws for IO
 *   flush()        resolves when every point buffered so far is in InfluxDB or fsync'd in the spool
 *                  (that is the acknowledgement: such points survive kill -9)
 *   close()        flush, stop replay (what is left stays in the spool for the next start)
 *
 * Batching: a batch leaves when `influx.batch_size` points are buffered or every
 * `influx.flush_interval_ms`, whichever comes first.
 *
 * Precision 'ms': points are stamped at probe start in epoch ms (Date.now()). Seconds would merge a
 * fast re-check into the check it re-checks (same series, same second: the later overwrites the
 * earlier); nanoseconds add 6 useless digits to every line. Milliseconds are exact for our stamps.
 *
 * Faults:
 * - InfluxDB down/slow/5xx/401/404: the batch goes to the spool, the writer marks InfluxDB down and
 *   sends later batches straight to the spool while a replay loop probes with the oldest record
 *   (backoff 0.5 s doubling to 30 s). Once it is back, live batches go directly again (dashboards
 *   stay current) while the backlog replays in order at `spool.replay_points_per_s`.
 * - 400 partial write (field type conflict, points beyond retention): InfluxDB kept the rest; the
 *   offending points are logged and counted in `rejected`, never retried.
 * - Replayed points older than `resample_for` are rolled up by a backfill once the spool is empty.
 * - Spool append failure (disk full): logged as an error, counted in `dropped`, flush() rejects.
 */
import path from 'node:path';
import type { InfluxDB, IPoint } from 'influx';
import type { Settings } from '../core/types.js';
import type { Logger } from '../core/logger.js';
import { systemClock, type Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { createInflux, type InfluxSettings } from './client.js';
import { createLineWriter, type WriteLines } from './http-write.js';
import { toBody } from './line-protocol.js';
import { assertDeclared, SchemaViolation, type Point } from './points.js';
import { ensureSchema, type SchemaOptions } from './retention.js';
import { backfillRollups } from './backfill.js';
import { Spool, type SpoolStats } from './spool.js';
import { RP } from './schema.js';

export interface Summary {
  last: number;
  avg: number;
  max: number;
  count: number;
}

export interface WriterStats {
  /** Points InfluxDB accepted from live batches. */
  written: number;
  /** Points that went to the spool. */
  spooled: number;
  /** Points replayed from the spool into InfluxDB. */
  replayed: number;
  /** Points lost: dropped at the spool bound, corrupt spool records, spool write failures (disk full). */
  dropped: number;
  /** Points InfluxDB refused (400: field type conflict, beyond retention). Logged. */
  rejected: number;
  /** Points refused before sending: undeclared measurement/tag/field or wrong type. Logged. */
  invalid: number;
  /** Points buffered in memory, not yet flushed. */
  buffered: number;
  influx_up: boolean;
  last_error: string | null;
  write_latency_ms: Summary;
  batch_points: Summary;
  spool: SpoolStats;
}

export interface PointWriter {
  write(points: readonly IPoint[]): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): WriterStats;
}

export interface WriterDeps {
  influx: Settings['influx'];
  spool: Settings['spool'];
  /** The spool lives in `<dataDir>/spool`. */
  dataDir: string;
  logger: Logger;
  clock?: Clock;
  /** An existing client (the composition root shares one with the reader). Default: createInflux(influx). */
  client?: InfluxDB;
  /** POST /write of a line-protocol body (tests inject one). Default: createLineWriter(influx), keep-alive. */
  writeLines?: WriteLines;
  /** Throw on a point that breaks the declared schema (tests, dev). Default false: log and count. */
  strict?: boolean;
  /** Run ensureSchema before the first write (and again after "database not found"). Default true. */
  ensureSchema?: boolean | SchemaOptions;
  /** Backfill rollups after replaying points older than resample_for. Default true. */
  backfillLate?: boolean;
  /** Log a `store stats` line this often when anything moved (0 = never). Default 60 s. */
  statsLogIntervalMs?: number;
}

class Stat {
  private sum = 0;
  s: Summary = { last: 0, avg: 0, max: 0, count: 0 };
  add(v: number): void {
    this.sum += v;
    const count = this.s.count + 1;
    this.s = { last: v, avg: Math.round((this.sum / count) * 100) / 100, max: Math.max(this.s.max, v), count };
  }
}

interface InfluxFailure {
  kind: 'partial' | 'rejected' | 'unavailable' | 'no-database';
  message: string;
  dropped?: number;
}

function classify(err: unknown): InfluxFailure {
  const message = errorMessage(err);
  const status = (err as { res?: { statusCode?: number } }).res?.statusCode;
  if (status === 400) {
    const m = /dropped=(\d+)/.exec(message);
    return { kind: message.includes('partial write') ? 'partial' : 'rejected', message, dropped: m ? Number(m[1]) : undefined };
  }
  if (status === 404 || /database not found/.test(message)) return { kind: 'no-database', message };
  return { kind: 'unavailable', message };
}

/**
 * The point as the writer keeps it: epoch-ms timestamp, tags and fields objects. A point already in
 * that form (every point pointsForCheck/statePoint/eventPoint make) is kept as it is, not copied:
 * the writer holds 35,000 points a cycle at 5,000 sites until their batch leaves.
 */
function normalize(p: IPoint): Point {
  if (typeof p.timestamp === 'number' && p.tags && p.fields) return p as Point;
  const ts = p.timestamp instanceof Date ? p.timestamp.getTime() : typeof p.timestamp === 'string' ? Number(p.timestamp) : p.timestamp;
  return { measurement: p.measurement as Point['measurement'], tags: p.tags ?? {}, fields: p.fields ?? {}, timestamp: ts as number };
}

/** Open the spool (replaying what a previous run left) and start the flush timer. Never contacts InfluxDB. */
export async function createWriter(deps: WriterDeps): Promise<PointWriter & { client: InfluxDB }> {
  const w = new Writer(deps);
  w.start();
  return w;
}

class Writer implements PointWriter {
  readonly client: InfluxDB;
  private readonly writeLines: WriteLines;
  private readonly closeLines: () => void;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly cfg: InfluxSettings;
  private readonly spool: Spool;
  private buffer: Point[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private state: 'unknown' | 'up' | 'down' = 'unknown';
  private schemaReady: Promise<void> | undefined;
  private replaying: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private closed = false;
  private lastError: string | null = null;
  private replayRange: { min: number; max: number } | undefined;
  private readonly stopping = new AbortController();
  private n = { written: 0, spooled: 0, replayed: 0, lostToDisk: 0, rejected: 0, invalid: 0 };
  private latency = new Stat();
  private batches = new Stat();

  constructor(private readonly deps: WriterDeps) {
    this.cfg = deps.influx;
    this.log = deps.logger.child({ component: 'store.writer' });
    this.clock = deps.clock ?? systemClock;
    this.client = deps.client ?? createInflux(deps.influx);
    const lines = deps.writeLines ? { write: deps.writeLines, close: () => undefined } : createLineWriter(deps.influx);
    this.writeLines = lines.write;
    this.closeLines = lines.close;
    this.spool = Spool.open({
      dir: path.join(deps.dataDir, 'spool'),
      maxBytes: deps.spool.max_bytes,
      warnRatio: deps.spool.warn_ratio,
      logger: deps.logger.child({ component: 'store.spool' }),
    });
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.buffer.length) void this.deliverBuffered(); // failures are logged, counted, and reported by the next flush()
    }, this.cfg.flush_interval_ms);
    this.timer.unref();
    const every = this.deps.statsLogIntervalMs ?? 60_000;
    if (every > 0) {
      let last = '';
      this.statsTimer = setInterval(() => {
        const st = this.stats();
        const key = JSON.stringify([st.written, st.spooled, st.replayed, st.dropped, st.rejected, st.invalid, st.spool.points]);
        if (key === last) return;
        last = key;
        const { spool, ...rest } = st;
        this.log.info({ ...rest, spool_points: spool.points, spool_bytes: spool.bytes, spool_dropped: spool.dropped_points }, 'store stats');
      }, every);
      this.statsTimer.unref();
    }
    if (!this.spool.isEmpty()) this.kickReplay();
  }
  private statsTimer: NodeJS.Timeout | undefined;

  write(points: readonly IPoint[]): void {
    if (this.closed) throw new Error('writer is closed');
    for (const raw of points) {
      const p = normalize(raw);
      try {
        assertDeclared(p);
      } catch (err) {
        if (this.deps.strict || !(err instanceof SchemaViolation)) throw err;
        this.n.invalid += 1;
        this.log.error({ err: errorMessage(err), point: p }, 'point refused: not in the declared schema');
        continue;
      }
      this.buffer.push(p);
    }
    if (this.buffer.length >= this.cfg.batch_size) void this.deliverBuffered();
  }

  /**
   * Resolves when every point written so far is in InfluxDB or in the spool. Rejects when any point
   * since the previous flush() could not be made durable (also batches that left on their own).
   */
  flush(): Promise<void> {
    return this.deliverBuffered().then(() => {
      const err = this.lostSinceFlush;
      this.lostSinceFlush = undefined;
      if (err) throw err;
    });
  }

  private deliverBuffered(): Promise<void> {
    const take = this.buffer;
    this.buffer = [];
    const p = this.chain.then(() => this.deliver(take));
    this.chain = p.catch((err) => {
      this.lostSinceFlush ??= err;
    });
    return this.chain;
  }
  private lostSinceFlush: unknown;

  private async deliver(points: Point[]): Promise<void> {
    let failure: unknown;
    for (let i = 0; i < points.length; i += this.cfg.batch_size) {
      try {
        await this.deliverBatch(points.slice(i, i + this.cfg.batch_size));
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure) throw failure;
  }

  private async deliverBatch(batch: Point[]): Promise<void> {
    this.batches.add(batch.length);
    // While InfluxDB is down and the replay loop is probing, do not wait for a timeout per batch.
    if (this.state === 'down' && !this.spool.isEmpty()) return this.toSpool(batch);
    try {
      await this.send(batch);
      this.n.written += batch.length;
      this.markUp();
    } catch (err) {
      const f = classify(err);
      if (f.kind === 'partial' || f.kind === 'rejected') {
        this.onRejected(f, batch);
        if (f.kind === 'partial') this.n.written += batch.length - (f.dropped ?? batch.length);
        this.markUp();
        return;
      }
      this.markDown(f);
      this.toSpool(batch);
    }
  }

  private toSpool(batch: Point[]): void {
    try {
      if (this.spool.append(batch)) this.n.spooled += batch.length;
    } catch (err) {
      this.n.lostToDisk += batch.length;
      this.log.error({ err: errorMessage(err), points: batch.length }, 'SPOOL WRITE FAILED: points lost');
      throw err;
    } finally {
      this.kickReplay();
    }
  }

  private ready(): Promise<void> {
    const opt = this.deps.ensureSchema ?? true;
    if (opt === false) return Promise.resolve();
    this.schemaReady ??= ensureSchema(this.client, this.cfg, this.deps.logger, opt === true ? {} : opt).then(
      () => undefined,
      (err) => {
        this.schemaReady = undefined; // try again next time
        throw err;
      },
    );
    return this.schemaReady;
  }

  private async send(points: Point[]): Promise<void> {
    await this.ready();
    const t0 = performance.now();
    await this.writeLines(toBody(points), { database: this.cfg.database, retentionPolicy: RP.raw, precision: 'ms' });
    this.latency.add(Math.round((performance.now() - t0) * 100) / 100);
  }

  private onRejected(f: InfluxFailure, batch: Point[]): void {
    const count = f.dropped ?? batch.length;
    this.n.rejected += count;
    // "input field "rtt_avg_ms" on measurement "ping" is type float, already exists as type integer"
    const m = /input field \\?"([^"\\]+)\\?" on measurement \\?"([^"\\]+)\\?"/.exec(f.message);
    const offending = m ? batch.filter((p) => p.measurement === m[2] && Object.hasOwn(p.fields, m[1]!)) : batch;
    this.log.error(
      { err: f.message, rejected: count, batch: batch.length, offending: offending.slice(0, 20), offending_count: offending.length },
      'InfluxDB refused points (the rest of the batch was written)',
    );
  }

  private markUp(): void {
    if (this.state === 'down') this.log.info({ spool_points: this.spool.stats().points }, 'InfluxDB is back: replaying the spool');
    this.state = 'up';
  }

  private markDown(f: InfluxFailure): void {
    if (f.kind === 'no-database') this.schemaReady = undefined;
    this.lastError = f.message;
    if (this.state !== 'down') {
      this.log.warn({ err: f.message, url: this.cfg.url }, 'InfluxDB unavailable: spooling points to disk');
    }
    this.state = 'down';
  }

  private kickReplay(): void {
    if (this.closed) return;
    if (this.replaying) {
      this.wake?.();
      return;
    }
    this.replaying = this.replayLoop()
      .catch((err) => this.log.error({ err: errorMessage(err) }, 'spool replay stopped'))
      .finally(() => {
        this.replaying = undefined;
        // Points spooled while the loop was finishing (or backfilling) must not wait for the next failure.
        if (!this.closed && !this.spool.isEmpty()) setTimeout(() => this.kickReplay(), 200).unref();
      });
  }

  /** Sleep that close() or a new kick can cut short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private async replayLoop(): Promise<void> {
    let backoff = 500;
    const rate = this.deps.spool.replay_points_per_s;
    while (!this.closed) {
      // Consecutive records up to one batch: records spooled during an outage are small.
      const recs = this.spool.peekMany(this.cfg.batch_size);
      if (!recs.length) break;
      const points = recs.length === 1 ? recs[0]!.points : recs.flatMap((r) => r.points);
      const ackAll = () => recs.filter((r) => this.spool.ack(r)).reduce((n, r) => n + r.points.length, 0);
      const t0 = performance.now();
      try {
        await this.send(points);
        this.n.replayed += ackAll();
        this.noteReplayed(points);
        this.markUp();
        backoff = 500;
      } catch (err) {
        const f = classify(err);
        if (f.kind === 'partial' || f.kind === 'rejected') {
          this.onRejected(f, points);
          const acked = ackAll();
          if (f.kind === 'partial') this.n.replayed += Math.max(0, acked - (f.dropped ?? acked));
          this.noteReplayed(points);
          continue;
        }
        this.markDown(f);
        await this.pause(backoff);
        backoff = Math.min(backoff * 2, 30_000);
        continue;
      }
      const wait = (points.length / rate) * 1000 - (performance.now() - t0);
      if (wait > 1) await this.pause(wait);
    }
    if (!this.closed && this.spool.isEmpty()) {
      const st = this.spool.stats();
      this.log.info({ replayed: this.n.replayed, dropped: st.dropped_points }, 'spool replay finished');
      await this.backfillLate();
    }
  }

  private noteReplayed(points: Point[]): void {
    for (const p of points) {
      const r = (this.replayRange ??= { min: p.timestamp, max: p.timestamp });
      if (p.timestamp < r.min) r.min = p.timestamp;
      if (p.timestamp > r.max) r.max = p.timestamp;
    }
  }

  /** Points older than resample_for were missed by the CQs: recompute their rollups. */
  private async backfillLate(): Promise<void> {
    const r = this.replayRange;
    this.replayRange = undefined;
    if (!r || this.deps.backfillLate === false) return;
    const horizon = this.clock.now() - parseDuration(this.cfg.retention.resample_for);
    if (r.min >= horizon) return;
    try {
      const res = await backfillRollups(this.client, this.cfg, { from: r.min, to: r.max + 1 }, { signal: this.stopping.signal });
      this.log.info({ from: new Date(res.from).toISOString(), to: new Date(res.to).toISOString(), written: res.written }, 'rollups backfilled after replay');
    } catch (err) {
      this.log.error(
        { err: errorMessage(err), from: new Date(r.min).toISOString(), to: new Date(r.max).toISOString() },
        'rollup backfill after replay failed: run pointwatch backfill-rollups for this range',
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    clearInterval(this.statsTimer);
    await this.flush().catch(() => undefined);
    this.closed = true;
    this.stopping.abort(); // a long backfill stops between two queries; its range is logged
    this.wake?.();
    await this.replaying;
    this.spool.close();
    this.closeLines();
  }

  stats(): WriterStats {
    const spool = this.spool.stats();
    return {
      written: this.n.written,
      spooled: this.n.spooled,
      replayed: this.n.replayed,
      dropped: spool.dropped_points + this.n.lostToDisk,
      rejected: this.n.rejected,
      invalid: this.n.invalid,
      buffered: this.buffer.length,
      influx_up: this.state !== 'down',
      last_error: this.lastError,
      write_latency_ms: this.latency.s,
      batch_points: this.batches.s,
      spool,
    };
  }
}
