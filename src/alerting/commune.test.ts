import { describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../config/defaults.js';
import { communeRule, evaluateCommunes, type CommuneSiteView } from './commune.js';

const settings = settingsWithDefaults({}); // ratio 0.6, window 3m, min_sites 3
const MIN = 60_000;
const area = { province: 'Lào Cai', commune: 'Y Tý' };

/** n sites; `down[i]` = minutes after T when site i went down (null = up). */
function commune(down: Array<number | null>, ancestors: string[][] = []): CommuneSiteView[] {
  return down.map((d, i) => ({ id: `s${i + 1}`, ...area, downSince: d === null ? null : d * MIN, ancestors: ancestors[i] ?? [] }));
}

describe('communeRule', () => {
  const cases: Array<{ name: string; sites: CommuneSiteView[]; want: string | null }> = [
    { name: '3 of 4 within a minute: power cut suspected', sites: commune([0, 0.5, 1, null]), want: 'power-cut-suspected s1,s2,s3: 3 of 4 sites down within 3m (75% >= 60%): power cut suspected' },
    { name: '3 of 5 is exactly the ratio', sites: commune([0, 0, 0, null, null]), want: 'power-cut-suspected s1,s2,s3: 3 of 5 sites down within 3m (60% >= 60%): power cut suspected' },
    { name: '2 of 2 is under min_sites', sites: commune([0, 0]), want: null },
    { name: '2 of 5 is under the ratio', sites: commune([0, 0, null, null, null]), want: null },
    { name: '3 of 4, but spread over 10 minutes', sites: commune([0, 5, 10, null]), want: null },
    { name: 'the largest group within the window counts', sites: commune([0, 10, 10.5, 11, 12]), want: 'power-cut-suspected s2,s3,s4,s5: 4 of 5 sites down within 3m (80% >= 60%): power cut suspected' },
    {
      name: 'all behind the same upstream site that still answers: upstream link',
      sites: commune([0, 0, 0, null], [['relay', 'hub'], ['relay', 'hub'], ['hub'], []]),
      want: 'upstream-down s1,s2,s3: 3 of 4 sites down within 3m (75% >= 60%): upstream link suspected (all behind hub)',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = communeRule(c.sites, settings);
      expect(r === null ? null : `${r.kind} ${r.sites.join(',')}: ${r.detail}`).toBe(c.want);
    });
  }
});

describe('evaluateCommunes', () => {
  const key = 'Lào Cai/Y Tý';
  it('opens one outage per commune (keyed by province + commune)', () => {
    const other = commune([0, 0, 0]).map((s) => ({ ...s, id: `o-${s.id}`, commune: 'A Mú Sung' }));
    const d = evaluateCommunes([...commune([0, 0, 0, null]), ...other], new Map(), settings);
    expect(d.open.map((o) => `${o.key} ${o.sites.length}`)).toEqual([`${key} 3`, 'Lào Cai/A Mú Sung 3']);
    expect(d.resolve).toEqual([]);
  });
  it('a commune of the same name in another province is another commune', () => {
    // 2 of 4 down in each province: neither commune meets the ratio on its own
    const here = commune([0, 0, null, null]);
    const there = commune([0, 0, null, null]).map((s) => ({ ...s, id: `db-${s.id}`, province: 'Điện Biên' }));
    expect(evaluateCommunes([...here, ...there], new Map(), settings).open).toEqual([]);
    const d = evaluateCommunes([...commune([0, 0, 0, null]), ...there], new Map(), settings);
    expect(d.open.map((o) => [o.key, o.province, o.group ?? null])).toEqual([[key, 'Lào Cai', null]]);
  });
  it('an open outage holds while enough of its sites are down, and new ones join', () => {
    const d = evaluateCommunes(commune([0, 0, 0, 20]), new Map([[key, ['s1', 's2', 's3']]]), settings);
    expect(d.update.map((u) => u.sites)).toEqual([['s1', 's2', 's3', 's4']]);
    expect(d.open).toEqual([]);
  });
  it('resolves when the rule no longer holds', () => {
    const d = evaluateCommunes(commune([0, 0, null, null]), new Map([[key, ['s1', 's2', 's3']]]), settings);
    expect(d.resolve).toEqual([key]);
  });
  it('resolves an outage of a commune that left the inventory', () => {
    const d = evaluateCommunes([], new Map([[key, ['s1']]]), settings);
    expect(d.resolve).toEqual([key]);
  });
});
