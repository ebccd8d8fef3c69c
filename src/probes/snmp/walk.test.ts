import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { T, type Vb } from './decode.js';
import { absorb, columnWalk, compareOids, cutProblems, rowIndex } from './walk.js';

type JsonVb = { oid: string; type: number; value: number | string | { hex: string } };
const toVb = (j: JsonVb): Vb => ({ oid: j.oid, type: j.type, value: typeof j.value === 'object' ? Buffer.from(j.value.hex, 'hex') : j.value });

/** The reference: split on dots and compare numbers (what compareOids replaced). */
function compareBySplit(a: string, b: string): number {
  const x = a.split('.'), y = b.split('.');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

describe('compareOids', () => {
  const cases: Array<{ name: string; a: string; b: string; sign: number }> = [
    { name: 'numeric, not lexical', a: '1.3.6.1.2.1.2.2.1.2.10', b: '1.3.6.1.2.1.2.2.1.2.9', sign: 1 },
    { name: 'prefix first', a: '1.3.6.1', b: '1.3.6.1.0', sign: -1 },
    { name: 'equal', a: '1.3.6', b: '1.3.6', sign: 0 },
    { name: 'longer arc is larger', a: '1.3.6.1.4.1.41112', b: '1.3.6.1.4.1.9999', sign: 1 },
    { name: 'first arc differs', a: '2.1', b: '1.9.9', sign: 1 },
    { name: 'leading zero equals the number', a: '1.3.06', b: '1.3.6', sign: 0 },
  ];
  for (const c of cases) it(c.name, () => expect(Math.sign(compareOids(c.a, c.b))).toBe(c.sign));

  it('agrees with split-and-compare on any OIDs', () => {
    const oid = fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 2 ** 32 - 1 })), { minLength: 1, maxLength: 14 }).map((a) => a.join('.'));
    fc.assert(fc.property(oid, oid, (a, b) => Math.sign(compareOids(a, b)) === Math.sign(compareBySplit(a, b))), { numRuns: 5000 });
    fc.assert(fc.property(oid, (a) => compareOids(a, a) === 0));
  });
});

describe('rowIndex', () => {
  const base = '1.3.6.1.2.1.2.2.1.2.';
  const cases: Array<[string, string, number]> = [
    ['single arc', `${base}7`, 7],
    ['large ifIndex', `${base}65539`, 65539],
    ['two arcs is not a row index', `${base}5.1`, -1],
    ['nothing after the prefix', base, -1],
  ];
  for (const [name, oid, want] of cases) it(name, () => expect(rowIndex(oid, base.length)).toBe(want));
});

const col = '1.3.6.1.2.1.2.2.1.2';
const vb = (oid: string, type: number = T.OctetString): Vb => ({ oid, type, value: Buffer.from('x') });

describe('absorb: one answer into a column walk', () => {
  it('rows in order, then the next column ends it (end seen)', () => {
    const w = columnWalk(col);
    expect(absorb(w, [vb(`${col}.1`), vb(`${col}.2`), vb('1.3.6.1.2.1.2.2.1.3.1')])).toBe(true);
    expect(w).toMatchObject({ done: true, endSeen: true, cut: null, next: `${col}.2` });
    expect(w.rows.map((r) => r.oid)).toEqual([`${col}.1`, `${col}.2`]);
  });

  it('endOfMibView ends it', () => {
    const w = columnWalk(col);
    absorb(w, [vb(`${col}.1`), { oid: `${col}.1`, type: T.EndOfMibView, value: null }]);
    expect(w).toMatchObject({ done: true, endSeen: true });
    expect(w.rows).toHaveLength(1);
  });

  it('not done while the column goes on: the next request continues from the last row', () => {
    const w = columnWalk(col);
    absorb(w, [vb(`${col}.1`), vb(`${col}.2`)]);
    expect(w).toMatchObject({ done: false, endSeen: false, next: `${col}.2` });
    absorb(w, [vb(`${col}.3`), vb('1.3.6.1.2.1.2.2.1.3.1')]);
    expect(w.rows).toHaveLength(3);
    expect(w.done).toBe(true);
  });

  it('doneAt: done at the expected row count without seeing the end', () => {
    const w = columnWalk(col);
    absorb(w, [vb(`${col}.1`), vb(`${col}.2`)], 2);
    expect(w).toMatchObject({ done: true, endSeen: false });
  });

  it('doneAt: rows beyond the count in the same answer are still kept (an agent with more rows than ifNumber)', () => {
    const w = columnWalk(col);
    absorb(w, [vb(`${col}.1`), vb(`${col}.2`), vb(`${col}.3`)], 2);
    expect(w.rows).toHaveLength(3);
    expect(w.done).toBe(true);
  });

  it('an OID that goes backwards stops the column with the rows read so far', () => {
    const w = columnWalk(col);
    absorb(w, [vb(`${col}.1`), vb(`${col}.4`), vb(`${col}.2`), vb(`${col}.5`)]);
    expect(w).toMatchObject({ done: true, endSeen: false, cut: `${col}.2 after ${col}.4` });
    expect(w.rows.map((r) => r.oid)).toEqual([`${col}.1`, `${col}.4`]);
  });

  it('a repeated OID is out of order too (an agent that loops)', () => {
    const w = columnWalk(col);
    absorb(w, [vb(`${col}.1`), vb(`${col}.1`)]);
    expect(w.cut).toBe(`${col}.1 after ${col}.1`);
  });
});

describe('out-of-order answer captured from snmpd 5.9 (view on ifIndex 1..4, max-repetitions 5)', () => {
  const f = JSON.parse(readFileSync(new URL('./testdata/snmpd-bulk-out-of-order.json', import.meta.url), 'utf8')) as { columns: Record<string, JsonVb[]> };
  const [descrOid, speedOid] = Object.keys(f.columns) as [string, string];
  const names = { [descrOid]: 'ifDescr', [speedOid]: 'ifSpeed' };
  const walks = () => {
    const d = columnWalk(descrOid), s = columnWalk(speedOid);
    absorb(d, f.columns[descrOid]!.map(toVb));
    absorb(s, f.columns[speedOid]!.map(toVb));
    return [d, s];
  };

  it('ifDescr is complete (rows 1..4, then a varbind of another column); ifSpeed is cut after its first varbind', () => {
    const [d, s] = walks();
    expect(d!.rows.map((r) => rowIndex(r.oid, d!.prefix.length))).toEqual([1, 2, 3, 4]);
    expect(d!.endSeen).toBe(true);
    expect(s!.cut).toBe(`${speedOid}.2 after ${speedOid}.3`);
    expect(s!.rows.map((r) => rowIndex(r.oid, s!.prefix.length))).toEqual([3]);
  });

  it('the cut column is a problem naming the column, the OIDs and the rows missing', () => {
    expect(cutProblems(walks(), names)).toEqual([
      `ifSpeed: agent returned OIDs out of order (${speedOid}.2 after ${speedOid}.3); no value for ifIndex 1, 2, 4`,
    ]);
  });

  it('a cut column that already holds every row is no problem (rows kept, poll stays ok)', () => {
    const [d] = walks();
    const s = columnWalk(speedOid);
    absorb(s, [1, 2, 3, 4].map((i) => vb(`${speedOid}.${i}`, T.Gauge32)).concat(vb(`${speedOid}.2`, T.Gauge32)));
    expect(s.cut).not.toBeNull();
    expect(cutProblems([d!, s], names)).toEqual([]);
  });

  it('no cut, no problems', () => {
    const w = columnWalk(descrOid);
    absorb(w, [vb(`${descrOid}.1`)]);
    expect(cutProblems([w], names)).toEqual([]);
  });
});
