import { describe, expect, it } from 'vitest';
import { siteWithDefaults, settingsWithDefaults } from '../config/defaults.js';
import { selectShard, siteDeadlineMs, spreadOffsets } from './shard.js';

const site = (id: string, province: string, commune: string, group?: string) =>
  siteWithDefaults({ id, name: id, kind: 'other', province, commune, ...(group ? { group } : {}), host: '127.0.0.1', snmp: false });

const sites = [
  site('a1', 'Tuyen Quang', 'Dong Van', 'North'),
  site('a2', 'Tuyen Quang', 'Meo Vac', 'North'),
  site('b1', 'Lao Cai', 'Sa Pa'),
  site('b2', 'Lao Cai', 'Bat Xat'),
  site('c1', 'Son La', 'Moc Chau'),
  site('d1', 'Dien Bien', 'Dong Van', 'North'), // commune and group names that repeat in another province
];
const ids = (xs: { id: string }[]) => xs.map((s) => s.id);

describe('selectShard', () => {
  const cases: Array<{ name: string; shard: Parameters<typeof selectShard>[1]; want: string[] }> = [
    { name: 'no shard: every site', shard: undefined, want: ['a1', 'a2', 'b1', 'b2', 'c1', 'd1'] },
    { name: 'empty shard: every site', shard: { provinces: [], communes: [], groups: [] }, want: ['a1', 'a2', 'b1', 'b2', 'c1', 'd1'] },
    { name: 'one province', shard: { provinces: ['Lao Cai'] }, want: ['b1', 'b2'] },
    { name: 'a list of communes', shard: { communes: ['Lao Cai/Sa Pa', 'Moc Chau'] }, want: ['b1', 'c1'] },
    { name: 'a plain commune name matches in every province', shard: { communes: ['Dong Van'] }, want: ['a1', 'd1'] },
    { name: 'Province/Commune is exact', shard: { communes: ['Tuyen Quang/Dong Van'] }, want: ['a1'] },
    { name: 'a group', shard: { groups: ['Tuyen Quang/North'] }, want: ['a1', 'a2'] },
    { name: 'provinces OR communes', shard: { provinces: ['Son La'], communes: ['Meo Vac'] }, want: ['a2', 'c1'] },
    { name: 'unknown names select nothing', shard: { provinces: ['Nowhere'], communes: ['Nowhere/Sa Pa'] }, want: [] },
  ];
  for (const c of cases) it(c.name, () => expect(ids(selectShard(sites, c.shard))).toEqual(c.want));

  it('two complementary shards cover every site exactly once', () => {
    const s1 = selectShard(sites, { provinces: ['Tuyen Quang', 'Lao Cai'] });
    const s2 = selectShard(sites, { provinces: ['Son La', 'Dien Bien'] });
    const all = [...ids(s1), ...ids(s2)].sort();
    expect(all).toEqual(ids(sites).sort());
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('spreadOffsets', () => {
  const cases = [
    { name: 'none', n: 0, w: 1000, want: [] },
    { name: 'spread off: all at once', n: 3, w: 0, want: [0, 0, 0] },
    { name: 'even slots', n: 4, w: 1000, want: [0, 250, 500, 750] },
    { name: 'one request starts at once', n: 1, w: 30000, want: [0] },
    { name: 'more requests than ms', n: 4, w: 2, want: [0, 0, 1, 1] },
  ];
  for (const c of cases) it(c.name, () => expect(spreadOffsets(c.n, c.w)).toEqual(c.want));

  it('with a tick: whole ticks, about window/tick groups, same window', () => {
    const o = spreadOffsets(5000, 30_000, 100);
    for (const x of o) expect(x % 100).toBe(0);
    expect(new Set(o).size).toBe(300);
    expect(o[0]).toBe(0);
    expect(o.at(-1)).toBe(29_900);
    expect(spreadOffsets(4, 1000, 300)).toEqual([0, 0, 300, 600]);
  });

  it('every offset lies inside the window and they never decrease', () => {
    const o = spreadOffsets(2000, 30_000);
    expect(Math.max(...o)).toBeLessThan(30_000);
    for (let i = 1; i < o.length; i++) expect(o[i]!).toBeGreaterThanOrEqual(o[i - 1]!);
  });
});

describe('siteDeadlineMs', () => {
  const snmp = settingsWithDefaults().poller.snmp; // 2000 ms × 3 tries
  it('system only: one request with its retries', () => expect(siteDeadlineMs(snmp, { interfaces: false })).toBe(6500));
  it('interfaces: room for a short walk', () => expect(siteDeadlineMs(snmp, { interfaces: true })).toBe(18500));
});
