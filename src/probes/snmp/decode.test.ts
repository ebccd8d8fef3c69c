import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { counter64ToBigint, decodeInterfaces, decodeSystem, T, type ColumnRows, type Vb } from './decode.js';

type JsonVb = { oid: string; type: number; value: number | string | { hex: string } };
const toVb = (j: JsonVb): Vb => ({ oid: j.oid, type: j.type, value: typeof j.value === 'object' ? Buffer.from(j.value.hex, 'hex') : j.value });
function fixture(name: string): { system: Vb[]; columns: ColumnRows } {
  const d = JSON.parse(readFileSync(new URL(`./testdata/${name}.json`, import.meta.url), 'utf8')) as { system: JsonVb[]; columns: Record<string, JsonVb[]> };
  return { system: d.system.map(toVb), columns: Object.fromEntries(Object.entries(d.columns).map(([k, v]) => [k, v.map(toVb)])) as ColumnRows };
}

describe('decode on varbinds captured from real agents', () => {
  it('snmpd v2c: system and interfaces with Counter64', () => {
    const f = fixture('snmpd-v2c');
    const sys = decodeSystem(f.system);
    expect(sys.problems).toEqual([]);
    expect(sys.value).toMatchObject({ sys_name: 'village-router', sys_object_id: '1.3.6.1.4.1.8072.3.2.10', uptime_ticks: 74 });
    const ifs = decodeInterfaces(f.columns, true);
    expect(ifs.problems).toEqual([]);
    expect(ifs.value.map((i) => [i.index, i.name, i.counter_bits, i.oper_up, i.speed_bps])).toEqual([
      [1, 'lo', 64, true, 10e6],
      [2, 'ifb0', 64, false, null],
      [3, 'ifb1', 64, false, null],
      [4, 'eth0', 64, true, null],
      // ifSpeed saturates at 4294967295: ifHighSpeed (10000 Mbps) wins.
      [12, 'pwb4138a', 64, true, 10e9],
    ]);
    expect(ifs.value[0]!.in_octets).toBe(0x0126f6cen);
    expect(ifs.value[1]!.in_octets).toBe(0n);
    expect(ifs.value[3]!.in_octets).toBe(415616726n);
  });

  it('snmpd v1: no Counter64, 32-bit counters', () => {
    const f = fixture('snmpd-v1');
    const ifs = decodeInterfaces(f.columns, false);
    expect(ifs.problems).toEqual([]);
    expect(ifs.value.every((i) => i.counter_bits === 32)).toBe(true);
    expect(ifs.value.find((i) => i.name === 'eth0')!.in_octets).toBe(415616726n);
  });

  it('snmpsim Windows XP: NUL-terminated ifDescr becomes the name, large ifIndex', () => {
    const ifs = decodeInterfaces(fixture('snmpsim-winxp-v2c').columns, true);
    expect(ifs.problems).toEqual([]);
    expect(ifs.value.map((i) => [i.index, i.name, i.counter_bits])).toEqual([
      [1, 'MS TCP Loopback interface', 32],
      [65539, 'Intel(R) PRO/Wireless 2200BG Network Connection', 32],
      [65540, 'Bluetooth Device (Personal Area Network)', 32],
    ]);
  });

  it('snmpsim wrong types: listed as problems, values left null', () => {
    const ifs = decodeInterfaces(fixture('snmpsim-badtypes-v2c').columns, true);
    expect(ifs.problems).toEqual(['ifHCInOctets.1: expected Counter64, got OctetString', 'ifOperStatus.2: expected Integer, got Counter32']);
    expect(ifs.value[0]).toMatchObject({ name: 'eth0', counter_bits: 64, in_octets: null, out_octets: 200n });
    expect(ifs.value[1]).toMatchObject({ name: 'eth1', oper_up: false, counter_bits: 32 });
  });
});

describe('counter64ToBigint', () => {
  const cases: Array<{ name: string; v: unknown; want: bigint | null }> = [
    { name: 'empty buffer is 0', v: Buffer.alloc(0), want: 0n },
    { name: 'one byte', v: Buffer.from('2a', 'hex'), want: 42n },
    { name: '2^64-1 with BER leading zero (9 bytes)', v: Buffer.from('00ffffffffffffffff', 'hex'), want: 2n ** 64n - 1n },
    { name: 'beyond 2^53 exact', v: Buffer.from('0020000000000001', 'hex'), want: 2n ** 53n + 1n },
    { name: 'too long', v: Buffer.alloc(10, 1), want: null },
    { name: 'safe number', v: 12345, want: 12345n },
    { name: 'unsafe number', v: 2 ** 60, want: null },
    { name: 'string', v: '12', want: null },
  ];
  for (const c of cases) it(c.name, () => expect(counter64ToBigint(c.v)).toBe(c.want));
});

describe('fast paths agree with the plain implementations they replaced', () => {
  const refCounter64 = (v: Buffer): bigint | null => {
    if (v.length === 0) return 0n;
    if (v.length > 9) return null;
    const n = BigInt(`0x${v.toString('hex')}`);
    return n < 1n << 64n ? n : null;
  };
  it('counter64ToBigint on any 0..10 bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 10 }), (a) => counter64ToBigint(Buffer.from(a)) === refCounter64(Buffer.from(a))), { numRuns: 20000 });
  });
  it('interface names: plain text decoded once, control bytes and trailing NULs as before', () => {
    const refText = (v: Buffer) => v.toString('utf8').replace(/\0+$/, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?');
    const prefix = '1.3.6.1.2.1.2.2.1.2';
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (a) => {
        const r = decodeInterfaces({ ifDescr: [{ oid: `${prefix}.1`, type: T.OctetString, value: Buffer.from(a) }] }, true);
        return r.value[0]!.descr === refText(Buffer.from(a));
      }),
      { numRuns: 20000 },
    );
  });
});

describe('decodeSystem', () => {
  const up = (type: number, value: unknown): Vb => ({ oid: '1.3.6.1.2.1.1.3.0', type, value });
  const cases: Array<{ name: string; vbs: Vb[]; problems: string[]; uptime: number | null }> = [
    { name: 'uptime only', vbs: [up(T.TimeTicks, 500)], problems: [], uptime: 500 },
    { name: 'sysUpTime missing', vbs: [], problems: ['sysUpTime.0: missing from the response'], uptime: null },
    { name: 'sysUpTime noSuchObject', vbs: [up(T.NoSuchObject, null)], problems: ['sysUpTime.0: NoSuchObject'], uptime: null },
    { name: 'sysUpTime noSuchInstance', vbs: [up(T.NoSuchInstance, null)], problems: ['sysUpTime.0: NoSuchInstance'], uptime: null },
    { name: 'sysUpTime as Integer', vbs: [up(T.Integer, 5)], problems: ['sysUpTime.0: expected TimeTicks, got Integer'], uptime: null },
    {
      name: 'sysName of the wrong type is a problem, not a crash',
      vbs: [up(T.TimeTicks, 1), { oid: '1.3.6.1.2.1.1.5.0', type: T.Integer, value: 42 }],
      problems: ['sysName.0: expected OctetString, got Integer'], uptime: 1,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = decodeSystem(c.vbs);
      expect(r.problems).toEqual(c.problems);
      expect(r.value?.uptime_ticks ?? null).toBe(c.uptime);
    });
  }
});

describe('decodeInterfaces edge cases', () => {
  it('noSuchInstance cells become null; ifXTable rows without ifTable row are ignored', () => {
    const r = decodeInterfaces({
      ifDescr: [{ oid: '1.3.6.1.2.1.2.2.1.2.7', type: T.OctetString, value: Buffer.from('ether7') }],
      ifInOctets: [{ oid: '1.3.6.1.2.1.2.2.1.10.7', type: T.NoSuchInstance, value: null }],
      ifName: [{ oid: '1.3.6.1.2.1.31.1.1.1.1.9', type: T.OctetString, value: Buffer.from('ghost') }],
    }, true);
    expect(r.problems).toEqual([]);
    expect(r.value).toHaveLength(1);
    expect(r.value[0]).toMatchObject({ index: 7, name: 'ether7', in_octets: null, counter_bits: 32, speed_bps: null });
  });

  it('never throws on arbitrary varbinds', () => {
    const cols = ['ifDescr', 'ifName', 'ifInOctets', 'ifHCInOctets', 'ifHighSpeed', 'ifSpeed', 'ifOperStatus'] as const;
    const prefixes: Record<string, string> = {
      ifDescr: '1.3.6.1.2.1.2.2.1.2', ifName: '1.3.6.1.2.1.31.1.1.1.1', ifInOctets: '1.3.6.1.2.1.2.2.1.10',
      ifHCInOctets: '1.3.6.1.2.1.31.1.1.1.6', ifHighSpeed: '1.3.6.1.2.1.31.1.1.1.15', ifSpeed: '1.3.6.1.2.1.2.2.1.5', ifOperStatus: '1.3.6.1.2.1.2.2.1.8',
    };
    const value = fc.oneof(fc.integer(), fc.double(), fc.string(), fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a)), fc.constant(null));
    const type = fc.constantFrom(...Object.values(T), 99);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...cols), fc.oneof(fc.integer({ min: -2, max: 70000 }).map(String), fc.string({ maxLength: 8 })), type, value), { maxLength: 40 }), fc.boolean(), (rows, use64) => {
        const c: ColumnRows = {};
        for (const [col, idx, t, v] of rows) (c[col] ??= []).push({ oid: `${prefixes[col]}.${idx}`, type: t, value: v });
        decodeInterfaces(c, use64);
      }),
      { numRuns: 2000 },
    );
  });
});
