/**
 * Append-only on-disk spool for points InfluxDB could not take (down, slow, refusing).
 *
 * Layout: `<dir>/seg-<12-digit seq>.pws` segment files, oldest first, plus `<dir>/cursor.json`
 * (how far replay got in the oldest segment). A segment is a sequence of records:
 *
 *   offset 0  4 bytes  magic "PWS1"
 *          4  u32 LE   payload length
 *          8  u32 LE   CRC-32 of (bytes 4..8, bytes 12..16, payload)
 *         12  u32 LE   number of points
 *         16  payload  deflate-raw of JSON [[measurement, tags, fields, ts_ms], ...]
 *
 * One record = one batch the writer could not deliver. `append` writes it with a positional
 * write and fdatasync before returning: once it returns, the points survive kill -9 and power loss.
 * On open, a torn or corrupt tail (crash mid-append) is truncated to the last whole record.
 * A failed append (disk full) truncates back what it wrote: records already spooled stay intact.
 *
 * Bounded by `maxBytes` (pending bytes): at the bound the OLDEST segment is deleted and its points
 * are counted in `dropped_points` and logged. A warning is logged when the spool passes `warnRatio`.
 * Records hold whole batches, compressed: ~10-20x smaller than line protocol (see the README figures).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/logger.js';
import { RuntimeError, errorMessage } from '../core/errors.js';
import type { Point } from './points.js';
import { decodePayload, encodeRecord, HEADER_BYTES, readHeader, recordCrc, scanHeaders, scanRecords } from './spool-record.js';

const SEGMENT_RE = /^seg-(\d{12})\.pws$/;

// ------------------------------------------------------------------ the spool (IO)

export interface SpoolOptions {
  dir: string;
  /** Bound on pending bytes; at the bound the oldest segment is dropped (and counted). */
  maxBytes: number;
  /** Log a warning when pending bytes pass maxBytes × warnRatio. */
  warnRatio: number;
  logger: Logger;
  /** Segment size before rotation; default min(64 MiB, maxBytes / 8). */
  segmentBytes?: number;
}

export interface SpoolRecord {
  seq: number;
  offset: number;
  length: number;
  points: Point[];
}

export interface SpoolStats {
  /** Bytes waiting for replay. */
  bytes: number;
  /** Points waiting for replay (spool depth). */
  points: number;
  records: number;
  segments: number;
  max_bytes: number;
  /** Points deleted at the bound, or lost to corrupt records, since start. */
  dropped_points: number;
  corrupt_records: number;
  /** Bytes cut from a torn/corrupt tail at open. */
  truncated_bytes: number;
}

interface Segment {
  seq: number;
  file: string;
  size: number;
  records: number;
  points: number;
}

/** Thrown when a record could not be made durable (disk full, IO error). Nothing partial is left behind. */
export class SpoolWriteError extends RuntimeError {
  override name = 'SpoolWriteError';
}

export class Spool {
  private segments: Segment[] = [];
  /** Position of the next record to replay, inside segments[0]. */
  private cursor = { offset: 0, records: 0, points: 0 };
  private activeFd: number | undefined;
  private readFd: { seq: number; fd: number } | undefined;
  private peeked: SpoolRecord | undefined;
  private warnedAt = 0;
  /** Segment numbers only grow, so a saved cursor never names a reused file. */
  private nextSeq = 1;
  private dropped = 0;
  private corrupt = 0;
  private truncated = 0;
  private readonly segmentBytes: number;
  private readonly log: Logger;

  private constructor(private readonly opts: SpoolOptions) {
    this.log = opts.logger;
    this.segmentBytes = Math.max(4096, opts.segmentBytes ?? Math.min(64 * 1024 * 1024, Math.floor(opts.maxBytes / 8)));
  }

  /** Open (or create) the spool in `dir`, recovering a torn tail and the replay cursor. */
  static open(opts: SpoolOptions): Spool {
    const s = new Spool(opts);
    s.recover();
    return s;
  }

  private segFile(seq: number): string {
    return path.join(this.opts.dir, `seg-${String(seq).padStart(12, '0')}.pws`);
  }

  private recover(): void {
    fs.mkdirSync(this.opts.dir, { recursive: true });
    const seqs = fs
      .readdirSync(this.opts.dir)
      .map((f) => SEGMENT_RE.exec(f))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    this.nextSeq = (seqs[seqs.length - 1] ?? 0) + 1;
    for (const [i, seq] of seqs.entries()) {
      const file = this.segFile(seq);
      // Only the last segment can have a torn tail (appends go to a new segment after each open):
      // verify its checksums; older segments are walked header to header without reading payloads
      // (a 4 GiB spool opens in seconds), a bad record there is skipped at replay.
      const size = fs.statSync(file).size;
      const scan = i === seqs.length - 1 ? scanRecords(fs.readFileSync(file), true) : scanHeaders(file);
      if (scan.problem) {
        // A crash mid-append leaves a torn tail: cut it so appends and replay stay aligned.
        this.truncated += size - scan.validBytes;
        this.log.warn({ file, problem: scan.problem, kept_bytes: scan.validBytes, cut_bytes: size - scan.validBytes }, 'spool: truncated a corrupt tail');
        fs.truncateSync(file, scan.validBytes);
      }
      if (scan.validBytes === 0) {
        fs.rmSync(file, { force: true });
        continue;
      }
      this.segments.push({ seq, file, size: scan.validBytes, records: scan.records.length, points: scan.records.reduce((n, r) => n + r.count, 0) });
    }
    const head = this.segments[0];
    const saved = this.readCursor();
    if (head && saved && saved.seq === head.seq && saved.offset > 0) {
      // Count what the head segment has already replayed (headers only).
      for (const r of scanHeaders(head.file).records) {
        if (r.offset + r.length > saved.offset) break;
        this.cursor = { offset: r.offset + r.length, records: this.cursor.records + 1, points: this.cursor.points + r.count };
      }
    }
    if (this.segments.length) {
      const st = this.stats();
      this.log.warn({ spool_points: st.points, spool_bytes: st.bytes, segments: st.segments }, 'spool: points waiting for replay from a previous run');
    }
  }

  private readCursor(): { seq: number; offset: number } | undefined {
    try {
      const c = JSON.parse(fs.readFileSync(path.join(this.opts.dir, 'cursor.json'), 'utf8')) as { seq: unknown; offset: unknown };
      if (Number.isSafeInteger(c.seq) && Number.isSafeInteger(c.offset)) return c as { seq: number; offset: number };
    } catch {
      /* none yet, or torn: replay the head segment from its start (duplicates overwrite, harmless) */
    }
    return undefined;
  }

  /**
   * Persist the replay position. Best effort: if it cannot be written (disk full), a restart replays
   * part of the head segment again, and InfluxDB overwrites the duplicates (same series, same time).
   */
  private writeCursor(): void {
    const head = this.segments[0];
    const file = path.join(this.opts.dir, 'cursor.json');
    const tmp = `${file}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify({ seq: head?.seq ?? 0, offset: this.cursor.offset }));
      fs.renameSync(tmp, file);
      this.cursorFailing = false;
    } catch (err) {
      if (!this.cursorFailing) this.log.warn({ err: errorMessage(err), file }, 'spool: cannot save the replay position (a restart may replay some points twice)');
      this.cursorFailing = true;
    }
  }
  private cursorFailing = false;

  private fsyncDir(): void {
    const fd = fs.openSync(this.opts.dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  private pendingBytes(): number {
    return this.segments.reduce((n, s) => n + s.size, 0) - this.cursor.offset;
  }

  private pendingPoints(): number {
    return this.segments.reduce((n, s) => n + s.points, 0) - this.cursor.points;
  }

  private closeActive(): void {
    if (this.activeFd !== undefined) fs.closeSync(this.activeFd);
    this.activeFd = undefined;
  }

  private closeRead(): void {
    if (this.readFd) fs.closeSync(this.readFd.fd);
    this.readFd = undefined;
  }

  /** Remove the head segment (fully replayed, or dropped at the bound). */
  private removeHead(): void {
    const head = this.segments.shift();
    if (!head) return;
    if (this.readFd?.seq === head.seq) this.closeRead();
    if (this.segments.length === 0) this.closeActive();
    this.peeked = undefined;
    fs.rmSync(head.file, { force: true });
    this.cursor = { offset: 0, records: 0, points: 0 };
    this.writeCursor();
  }

  private dropOldest(reason: string): void {
    const head = this.segments[0];
    if (!head) return;
    const lost = head.points - this.cursor.points;
    this.dropped += lost;
    this.log.error(
      { file: head.file, dropped_points: lost, dropped_total: this.dropped, max_bytes: this.opts.maxBytes, reason },
      'spool full: dropped the oldest segment',
    );
    this.removeHead();
  }

  /**
   * Append one batch durably (fdatasync'd before returning). Returns false when the batch alone is
   * larger than the whole bound (then it is counted as dropped). Throws SpoolWriteError on IO
   * failure (disk full), after cutting back anything partially written.
   */
  append(points: readonly Point[]): boolean {
    if (points.length === 0) return true;
    const rec = encodeRecord(points);
    if (rec.length > this.opts.maxBytes) {
      this.dropped += points.length;
      this.log.error({ points: points.length, record_bytes: rec.length, max_bytes: this.opts.maxBytes }, 'spool: batch larger than the spool bound, dropped');
      return false;
    }
    while (this.segments.length > 0 && this.pendingBytes() + rec.length > this.opts.maxBytes) {
      if (this.segments.length === 1) this.closeActive(); // the next append starts a new segment
      this.dropOldest('bound reached');
    }
    let active = this.segments[this.segments.length - 1];
    if (this.activeFd !== undefined && active && active.size > 0 && active.size + rec.length > this.segmentBytes) this.closeActive();
    if (this.activeFd === undefined || !active) {
      const seq = this.nextSeq++;
      const file = this.segFile(seq);
      try {
        this.activeFd = fs.openSync(file, 'wx');
        this.fsyncDir();
      } catch (err) {
        this.closeActive();
        fs.rmSync(file, { force: true });
        throw new SpoolWriteError(`spool: cannot create segment ${file}: ${errorMessage(err)}`, { cause: err });
      }
      active = { seq, file, size: 0, records: 0, points: 0 };
      this.segments.push(active);
    }
    const fd = this.activeFd;
    const before = active.size;
    try {
      let done = 0;
      while (done < rec.length) done += fs.writeSync(fd, rec, done, rec.length - done, before + done);
      fs.fdatasyncSync(fd);
    } catch (err) {
      try {
        fs.ftruncateSync(fd, before);
      } catch {
        /* best effort: recovery at open would cut a torn tail anyway */
      }
      if (before === 0) {
        this.closeActive();
        this.segments.pop();
        fs.rmSync(active.file, { force: true });
      }
      const code = (err as NodeJS.ErrnoException).code;
      throw new SpoolWriteError(
        `spool: could not append ${points.length} points to ${active.file} (${code === 'ENOSPC' ? 'disk full' : errorMessage(err)}); already spooled points are intact`,
        { cause: err },
      );
    }
    active.size += rec.length;
    active.records += 1;
    active.points += points.length;
    this.checkWarn();
    return true;
  }


  private checkWarn(): void {
    const ratio = this.pendingBytes() / this.opts.maxBytes;
    const step = Math.floor(ratio * 10) / 10; // warn again at every further 10 %
    if (ratio >= this.opts.warnRatio && step > this.warnedAt) {
      this.warnedAt = step;
      this.log.warn(
        { spool_bytes: this.pendingBytes(), spool_points: this.pendingPoints(), max_bytes: this.opts.maxBytes, ratio: Number(ratio.toFixed(3)) },
        'SPOOL FILLING UP: InfluxDB has not taken points for a long time; the oldest will be dropped at the bound',
      );
    } else if (ratio < this.opts.warnRatio * 0.9) {
      this.warnedAt = 0;
    }
  }

  private readRecord(head: Segment, offset: number): { rec: SpoolRecord } | { problem: string; count: number; bytes: number } {
    if (this.readFd?.seq !== head.seq) {
      this.closeRead();
      this.readFd = { seq: head.seq, fd: fs.openSync(head.file, 'r') };
    }
    const fd = this.readFd.fd;
    const hbuf = Buffer.alloc(HEADER_BYTES);
    fs.readSync(fd, hbuf, 0, HEADER_BYTES, offset);
    const h = readHeader(hbuf);
    const length = h ? HEADER_BYTES + h.payloadLength : 0;
    if (!h || offset + length > head.size) return { problem: 'bad header', count: -1, bytes: head.size - offset };
    const payload = Buffer.alloc(h.payloadLength);
    fs.readSync(fd, payload, 0, h.payloadLength, offset + HEADER_BYTES);
    let points: Point[] | undefined;
    if (recordCrc(hbuf, payload) === h.crc) {
      try {
        points = decodePayload(payload);
      } catch {
        points = undefined;
      }
    }
    if (!points || points.length !== h.count) return { problem: 'checksum mismatch', count: h.count, bytes: length };
    return { rec: { seq: head.seq, offset, length, points } };
  }

  /** The oldest record not yet replayed, or undefined when the spool is empty. */
  peek(): SpoolRecord | undefined {
    if (this.peeked) return this.peeked;
    for (;;) {
      const head = this.segments[0];
      if (!head) return undefined;
      if (this.cursor.offset >= head.size) {
        if (this.segments.length === 1 && this.activeFd !== undefined) return undefined; // still being appended to
        this.removeHead();
        continue;
      }
      const r = this.readRecord(head, this.cursor.offset);
      if ('problem' in r) {
        // A bad header loses the rest of the segment (no way to find the next record boundary).
        this.skipCorrupt(head, r.problem, r.count < 0 ? head.points - this.cursor.points : r.count, r.bytes);
        continue;
      }
      this.peeked = r.rec;
      return this.peeked;
    }
  }

  /**
   * The oldest records not yet replayed, as many consecutive whole records of the head segment as
   * fit in `maxPoints` (at least one). Ack them in order. Small records written during an outage
   * are replayed as full batches.
   */
  peekMany(maxPoints: number): SpoolRecord[] {
    const first = this.peek();
    if (!first) return [];
    const head = this.segments[0]!;
    const out = [first];
    let n = first.points.length;
    let off = first.offset + first.length;
    while (off < head.size) {
      const r = this.readRecord(head, off);
      if ('problem' in r || n + r.rec.points.length > maxPoints) break; // a bad record is handled by the next peek()
      out.push(r.rec);
      n += r.rec.points.length;
      off += r.rec.length;
    }
    return out;
  }

  private skipCorrupt(head: Segment, problem: string, points: number, bytes: number): void {
    this.corrupt += 1;
    this.dropped += points;
    this.log.error({ file: head.file, offset: this.cursor.offset, problem, dropped_points: points }, 'spool: corrupt record skipped');
    this.cursor = { offset: this.cursor.offset + bytes, records: this.cursor.records + 1, points: this.cursor.points + points };
    this.peeked = undefined;
    this.writeCursor();
  }

  /**
   * Mark the record returned by peek() as delivered. Returns false when that record is no longer
   * the head (it was dropped at the bound while being replayed): nothing to do then.
   */
  ack(rec: SpoolRecord): boolean {
    const head = this.segments[0];
    if (!head || rec.seq !== head.seq || rec.offset !== this.cursor.offset) return false;
    this.peeked = undefined;
    this.cursor = { offset: this.cursor.offset + rec.length, records: this.cursor.records + 1, points: this.cursor.points + rec.points.length };
    if (this.cursor.offset >= head.size) {
      // Fully replayed: delete it (the active segment too: the next append opens a new one).
      if (this.segments.length === 1) this.closeActive();
      this.removeHead();
    } else {
      this.writeCursor();
    }
    return true;
  }

  isEmpty(): boolean {
    return this.pendingPoints() === 0;
  }

  stats(): SpoolStats {
    return {
      bytes: this.pendingBytes(),
      points: this.pendingPoints(),
      records: this.segments.reduce((n, s) => n + s.records, 0) - this.cursor.records,
      segments: this.segments.length,
      max_bytes: this.opts.maxBytes,
      dropped_points: this.dropped,
      corrupt_records: this.corrupt,
      truncated_bytes: this.truncated,
    };
  }

  close(): void {
    this.closeActive();
    this.closeRead();
  }
}
