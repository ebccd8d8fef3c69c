import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { installOidCache, netSnmpBer, type OidCache } from './oid-codec.js';

const ber = netSnmpBer();
let cache: OidCache;
beforeAll(() => { cache = installOidCache(ber, 64); });

type Outcome = { value: string | null; offset: number; len: number } | { error: string };

/** readOID on a fresh reader, with the method given (the installed one, or the original). */
function readWith(fn: (this: unknown, tag?: number) => string | null, bytes: Buffer, tag?: number): Outcome {
  const r = new ber.Reader(bytes) as unknown as { _offset: number; _len: number };
  try {
    const value = fn.call(r, tag);
    return { value, offset: r._offset, len: r._len };
  } catch (err) {
    return { error: String((err as Error).message) };
  }
}
const readPatched = (bytes: Buffer, tag?: number) => readWith(ber.Reader.prototype.readOID as never, bytes, tag);
const readOriginal = (bytes: Buffer, tag?: number) => readWith(cache.originalReadOID as never, bytes, tag);

function writeWith(fn: (this: unknown, s: string, tag?: number) => void, oid: string, tag?: number): { bytes: string } | { error: string } {
  const w = new ber.Writer();
  try {
    w.writeByte(0xaa); // something before it: the OID is written at an offset, as in a message
    fn.call(w, oid, tag);
    return { bytes: w.buffer.toString('hex') };
  } catch (err) {
    return { error: String((err as Error).message) };
  }
}

/** An OID as a string: first arc 0..2, second 0..39 (or more under 2), then arcs up to 2^32-1. */
const oidArb = fc
  .tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 39 }), fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 0xffffffff })), { maxLength: 40 }))
  .map(([a, b, rest]) => [a, b, ...rest].join('.'));

describe('OID memo on asn1-ber (net-snmp)', () => {
  it('writes the same bytes as the original, on a miss and on a hit', () => {
    fc.assert(
      fc.property(oidArb, fc.option(fc.constantFrom(0x06, 0x80), { nil: undefined }), (oid, tag) => {
        const want = writeWith(cache.originalWriteOID as never, oid, tag);
        expect(writeWith(ber.Writer.prototype.writeOID as never, oid, tag)).toEqual(want); // miss (or evicted)
        expect(writeWith(ber.Writer.prototype.writeOID as never, oid, tag)).toEqual(want); // hit
      }),
      { numRuns: 500 },
    );
  });

  it('rejects what the original rejects, and remembers nothing of it', () => {
    for (const bad of ['', '1.3.6.', 'x.1', '1..3', '1.3.6.1 ', ' 1.3']) {
      const want = writeWith(cache.originalWriteOID as never, bad);
      expect(want).toHaveProperty('error');
      expect(writeWith(ber.Writer.prototype.writeOID as never, bad)).toEqual(want);
      expect(writeWith(ber.Writer.prototype.writeOID as never, bad)).toEqual(want);
    }
  });

  it('reads back what was written, as the original does, twice', () => {
    fc.assert(
      fc.property(oidArb, (oid) => {
        const w = new ber.Writer();
        cache.originalWriteOID.call(w as never, oid);
        const bytes = Buffer.concat([w.buffer, Buffer.from([0x05, 0x00])]); // followed by a NULL, as in a varbind
        const want = readOriginal(bytes);
        expect(readPatched(bytes)).toEqual(want);
        expect(readPatched(bytes)).toEqual(want);
      }),
      { numRuns: 500 },
    );
  });

  it('gives malformed and truncated input the original outcome (null, an error, the same offset)', () => {
    const cases = [
      '', '06', '0600', '0605', '06052b06010201', '068105', '0681052b06010201', '0680', '04032b0601', '06032b06', '06ff',
      '06032b0601', '0601ff', '06028100', '0603ffffff',
    ];
    for (const hex of cases) {
      const bytes = Buffer.from(hex, 'hex');
      const want = readOriginal(bytes);
      expect({ hex, got: readPatched(bytes) }).toEqual({ hex, got: want });
      expect({ hex, got: readPatched(bytes) }).toEqual({ hex, got: want });
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), fc.boolean(), (arr, asOid) => {
        const bytes = Buffer.from(arr);
        if (asOid && bytes.length > 0) bytes[0] = 0x06;
        const want = readOriginal(bytes);
        expect(readPatched(bytes)).toEqual(want);
        expect(readPatched(bytes)).toEqual(want);
      }),
      { numRuns: 1000 },
    );
  });

  it('another tag than OID goes to the original', () => {
    const bytes = Buffer.from('80032b0601', 'hex');
    expect(readPatched(bytes, 0x80)).toEqual(readOriginal(bytes, 0x80));
    expect(readPatched(bytes, 0x80)).toMatchObject({ value: '1.3.6.1' });
  });

  it('reads every OID of datagrams captured from snmpd (v1 GET, v2c GETBULK) as the original does, hits shared', () => {
    const { messages } = JSON.parse(readFileSync(new URL('./testdata/wire-messages.json', import.meta.url), 'utf8')) as { messages: Array<{ name: string; version: string; hex: string }> };
    const community = messages.filter((m) => m.version !== '3');
    expect(community.length).toBeGreaterThanOrEqual(4);
    /** Every OID in a BER message, in order: descend constructed types, read OIDs, skip the rest. */
    const oidsOf = (hex: string, readOID: (this: unknown, tag?: number) => string | null): string[] => {
      const r = new ber.Reader(Buffer.from(hex, 'hex')) as unknown as {
        peek(): number | null; readSequence(tag?: number): number | null; readString(tag: number, retbuf: boolean): unknown; _offset: number; _size: number;
      };
      const out: string[] = [];
      while (r._offset < r._size) {
        const tag = r.peek()!;
        if (tag & 0x20) r.readSequence(tag);
        else if (tag === 0x06) out.push(readOID.call(r)!);
        else r.readString(tag, true);
      }
      return out;
    };
    for (const m of community) {
      const want = oidsOf(m.hex, cache.originalReadOID as never);
      expect(want.length).toBeGreaterThan(0);
      const first = oidsOf(m.hex, ber.Reader.prototype.readOID as never);
      const again = oidsOf(m.hex, ber.Reader.prototype.readOID as never);
      expect(first).toEqual(want);
      expect(again).toEqual(want);
      // a hit hands out the string remembered on the miss: one object per OID for every site
      again.forEach((oid, i) => expect(Object.is(oid, first[i])).toBe(true));
    }
    expect(cache.stats().read_hits).toBeGreaterThan(0);
  });

  it('stays bounded: past its size a table starts over', () => {
    for (let i = 0; i < 300; i++) {
      const w = new ber.Writer();
      w.writeOID(`1.3.6.1.4.1.99999.${i}`);
      new ber.Reader(w.buffer).readOID();
    }
    const s = cache.stats();
    expect(s.read_entries).toBeLessThanOrEqual(64);
    expect(s.write_entries).toBeLessThanOrEqual(64);
  });

  it('is installed once: a second install returns the same memo', () => {
    expect(installOidCache(ber)).toBe(cache);
  });
});
