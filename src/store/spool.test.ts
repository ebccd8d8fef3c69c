import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../core/logger.js';
import type { Point } from './points.js';
import { crc32, crc32Table, decodePayload, encodeRecord, HEADER_BYTES, scanHeaders, scanRecords } from './spool-record.js';
import { Spool } from './spool.js';

const TESTDATA = path.join(import.meta.dirname, 'testdata');

function pts(n: number, from = 0): Point[] {
  return Array.from({ length: n }, (_, i) => ({
    measurement: 'ping' as const,
    tags: { site: `s-${(from + i) % 50}`, commune: 'Tân Lập', district: 'Thanh Sơn', province: 'Phú Thọ', kind: 'cultural_house', uplink: '4g' },
    fields: { up: 1, sent: 5, received: 5, loss_pct: 0, rtt_avg_ms: 10 + ((from + i) % 7) / 3, seq: from + i } as Point['fields'],
    timestamp: 1_763_600_000_000 + (from + i) * 1000,
  }));
}

function captureLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void out.push(s) } });
  return { logger, lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-spool-unit-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const open = (over: Partial<Parameters<typeof Spool.open>[0]> = {}) =>
  Spool.open({ dir, maxBytes: 10 * 1024 * 1024, warnRatio: 0.7, logger: captureLogger().logger, ...over });

/** Replay everything the spool holds, in order. */
function drain(s: Spool): Point[] {
  const out: Point[] = [];
  for (let r = s.peek(); r; r = s.peek()) {
    out.push(...r.points);
    s.ack(r);
  }
  return out;
}

const segFiles = () => fs.readdirSync(dir).filter((f) => f.endsWith('.pws')).sort();

describe('record format', () => {
  it('crc32 matches the IEEE check value and chains (native and table implementations alike)', () => {
    for (const f of [crc32, crc32Table]) {
      expect(f(Buffer.from('123456789'))).toBe(0xcbf43926);
      expect(f(Buffer.from('6789'), f(Buffer.from('12345')))).toBe(0xcbf43926);
    }
    const rnd = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919) % 256));
    expect(crc32(rnd)).toBe(crc32Table(rnd));
  });

  it('round-trips points (tags, float/int/string fields, ms timestamps)', () => {
    const p: Point[] = [...pts(3), { measurement: 'event', tags: { province: 'Phú Thọ', type: 'transition' }, fields: { text: 'a "quoted", \n multi-line' }, timestamp: 1 }];
    const rec = encodeRecord(p);
    expect(rec.subarray(0, 4).toString()).toBe('PWS1');
    expect(rec.readUInt32LE(12)).toBe(4);
    expect(decodePayload(rec.subarray(HEADER_BYTES))).toEqual(p);
  });

  it('decodes the committed v1 record fixture (the on-disk format must stay readable)', () => {
    const buf = fs.readFileSync(path.join(TESTDATA, 'spool-v1.pws'));
    const scan = scanRecords(buf);
    expect(scan.problem).toBeUndefined();
    expect(scan.records.map((r) => r.count)).toEqual([3, 2]);
    const first = decodePayload(buf.subarray(HEADER_BYTES, scan.records[0]!.length));
    expect(first).toEqual(pts(3));
  });

  const corruptions: { name: string; mutate: (b: Buffer) => Buffer; keep: number; problem: RegExp }[] = [
    { name: 'torn header', mutate: (b) => Buffer.concat([b, Buffer.from('PWS')]), keep: 2, problem: /torn header/ },
    { name: 'torn payload (crash mid-write)', mutate: (b) => b.subarray(0, b.length - 5), keep: 1, problem: /torn record/ },
    { name: 'garbage after the last record', mutate: (b) => Buffer.concat([b, Buffer.alloc(40, 0x41)]), keep: 2, problem: /bad magic/ },
    { name: 'zeroes after the last record (preallocated block)', mutate: (b) => Buffer.concat([b, Buffer.alloc(4096)]), keep: 2, problem: /bad magic/ },
    { name: 'a flipped bit in the last payload', mutate: (b) => { const c = Buffer.from(b); c[c.length - 3]! ^= 0x10; return c; }, keep: 1, problem: /checksum/ },
    { name: 'a changed point count in the last header', mutate: (b) => { const c = Buffer.from(b); const off = scanRecords(b).records[1]!.offset; c.writeUInt32LE(99, off + 12); return c; }, keep: 1, problem: /checksum/ },
  ];
  for (const c of corruptions) {
    it(`scan stops at the last whole record: ${c.name}`, () => {
      const good = Buffer.concat([encodeRecord(pts(3)), encodeRecord(pts(2, 3))]);
      const scan = scanRecords(c.mutate(good));
      expect(scan.records).toHaveLength(c.keep);
      expect(scan.problem).toMatch(c.problem);
      expect(scan.validBytes).toBe(scan.records.reduce((n, r) => n + r.length, 0));
    });
  }
});

describe('scanHeaders (older segments at open)', () => {
  it('finds the same records as a full scan, and stops at a torn tail', () => {
    const buf = Buffer.concat([encodeRecord(pts(3)), encodeRecord(pts(5, 3)), encodeRecord(pts(2, 8))]);
    const file = path.join(dir, 'seg-000000000001.pws');
    fs.writeFileSync(file, buf);
    expect(scanHeaders(file)).toEqual(scanRecords(buf, false));
    fs.writeFileSync(file, buf.subarray(0, buf.length - 4));
    expect(scanHeaders(file)).toMatchObject({ validBytes: scanRecords(buf).records[2]!.offset, problem: expect.stringMatching(/torn record/) });
  });
});

describe('Spool on real files', () => {
  it('replays in append order, then deletes replayed segments', () => {
    const s = open({ segmentBytes: 4096 });
    for (let i = 0; i < 20; i++) expect(s.append(pts(10, i * 10))).toBe(true);
    expect(s.stats()).toMatchObject({ points: 200, records: 20 });
    expect(segFiles().length).toBeGreaterThan(1);
    const out = drain(s);
    expect(out.map((p) => p.fields.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(s.stats()).toMatchObject({ points: 0, bytes: 0, records: 0 });
    expect(s.isEmpty()).toBe(true);
    s.close();
    expect(segFiles()).toEqual([]);
  });

  it('peekMany returns consecutive whole records up to a point budget (at least one), acked in order', () => {
    const s = open();
    for (let i = 0; i < 6; i++) s.append(pts(10, i * 10));
    expect(s.peekMany(25).map((r) => r.points.length)).toEqual([10, 10]);
    expect(s.peekMany(5).map((r) => r.points.length)).toEqual([10]); // never empty while records wait
    const batch = s.peekMany(1000);
    expect(batch.flatMap((r) => r.points).map((p) => p.fields.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    for (const r of batch) expect(s.ack(r)).toBe(true);
    expect(s.isEmpty()).toBe(true);
    s.close();
  });

  it('reopening resumes after the last acknowledged record (cursor), new points after old ones', () => {
    const s1 = open();
    for (let i = 0; i < 5; i++) s1.append(pts(4, i * 4));
    const r1 = s1.peek()!;
    s1.ack(r1);
    s1.ack(s1.peek()!);
    s1.close();
    const s2 = open();
    expect(s2.stats().points).toBe(12);
    s2.append(pts(4, 20));
    expect(drain(s2).map((p) => p.fields.seq)).toEqual(Array.from({ length: 16 }, (_, i) => i + 8));
    s2.close();
  });

  it('a corrupt tail after a crash is truncated on open and appends go on', () => {
    const s1 = open();
    s1.append(pts(3));
    s1.append(pts(3, 3));
    s1.close();
    const file = path.join(dir, segFiles()[0]!);
    const whole = fs.statSync(file).size;
    fs.appendFileSync(file, encodeRecord(pts(3, 6)).subarray(0, 30)); // torn third record
    const cap = captureLogger();
    const s2 = Spool.open({ dir, maxBytes: 1 << 20, warnRatio: 0.7, logger: cap.logger });
    expect(fs.statSync(file).size).toBe(whole);
    expect(s2.stats()).toMatchObject({ points: 6, truncated_bytes: 30 });
    expect(cap.lines().some((l) => l.msg === 'spool: truncated a corrupt tail')).toBe(true);
    s2.append(pts(2, 100));
    expect(drain(s2).map((p) => p.fields.seq)).toEqual([0, 1, 2, 3, 4, 5, 100, 101]);
    s2.close();
  });

  it('a corrupt record in an older segment is skipped and counted at replay; later records still replay', () => {
    const s1 = open();
    for (let i = 0; i < 3; i++) s1.append(pts(3, i * 3));
    s1.close();
    const s2 = open(); // a new run appends to a new segment
    s2.append(pts(3, 9));
    s2.close();
    expect(segFiles()).toHaveLength(2);
    const [older, newer] = segFiles();
    const buf = fs.readFileSync(path.join(dir, older!));
    const mid = scanRecords(buf).records[1]!;
    buf[mid.offset + mid.length - 2]! ^= 0xff; // a bad sector inside an older, closed segment
    fs.writeFileSync(path.join(dir, older!), buf);
    const cap = captureLogger();
    const s3 = Spool.open({ dir, maxBytes: 1 << 20, warnRatio: 0.7, logger: cap.logger });
    expect(newer).toBeDefined();
    expect(drain(s3).map((p) => p.fields.seq)).toEqual([0, 1, 2, 6, 7, 8, 9, 10, 11]);
    expect(s3.stats()).toMatchObject({ corrupt_records: 1, dropped_points: 3 });
    expect(cap.lines().some((l) => l.msg === 'spool: corrupt record skipped' && l.dropped_points === 3)).toBe(true);
    s3.close();
  });

  it('at the bound the oldest segment is dropped, counted and logged; warning passed on the way', () => {
    const cap = captureLogger();
    const rec = encodeRecord(pts(20)).length;
    const s = Spool.open({ dir, maxBytes: rec * 12, warnRatio: 0.5, logger: cap.logger, segmentBytes: rec * 3 });
    for (let i = 0; i < 30; i++) s.append(pts(20, i * 20));
    const st = s.stats();
    expect(st.bytes).toBeLessThanOrEqual(rec * 12 + 100);
    expect(st.dropped_points).toBeGreaterThan(0);
    expect(st.dropped_points + st.points).toBe(600);
    const msgs = cap.lines().map((l) => l.msg);
    expect(msgs.indexOf(msgs.find((m) => String(m).startsWith('SPOOL FILLING UP'))!)).toBeLessThan(msgs.indexOf('spool full: dropped the oldest segment'));
    const seqs = drain(s).map((p) => p.fields.seq as number);
    // What is left is the newest points, still in order.
    expect(seqs).toEqual(Array.from({ length: st.points }, (_, i) => 600 - st.points + i));
    s.close();
  });

  it('a batch bigger than the whole bound is refused and counted, the spool is untouched', () => {
    const s = open({ maxBytes: 2048 });
    s.append(pts(2));
    expect(s.append(pts(2000))).toBe(false);
    expect(s.stats()).toMatchObject({ points: 2, dropped_points: 2000 });
    s.close();
  });

  it('ack of a record that was dropped meanwhile is a no-op', () => {
    const rec = encodeRecord(pts(20)).length;
    const s = open({ maxBytes: rec * 4, segmentBytes: rec });
    s.append(pts(20));
    const head = s.peek()!;
    for (let i = 1; i < 10; i++) s.append(pts(20, i * 20)); // drops the head while "in flight"
    expect(s.ack(head)).toBe(false);
    expect(drain(s)[0]!.fields.seq).toBeGreaterThan(0);
    s.close();
  });
});
