import { describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../config/defaults.js';
import { availabilityByArea, pickSource, sourceFor, type SiteAvailability } from './reader.js';
import type { Place } from '../inventory/places.js';

const D = 86_400_000;
const retention = settingsWithDefaults({}).influx.retention; // raw 30d, 5m 400d, 1h 1825d

describe('pickSource / sourceFor', () => {
  const cases: { name: string; span: number; age?: number; rp: string }[] = [
    { name: 'the last hour: raw', span: D / 24, rp: 'raw' },
    { name: 'two days: raw', span: 2 * D, rp: 'raw' },
    { name: 'a week: 5-minute rollups', span: 7 * D, rp: 'rollup_5m' },
    { name: 'a month (31 days): 5-minute rollups', span: 31 * D, rp: 'rollup_5m' },
    { name: 'a quarter: 1-hour rollups', span: 92 * D, rp: 'rollup_1h' },
    { name: 'one day, 40 days ago: raw is gone (30d), 5-minute rollups', span: D, age: 40 * D, rp: 'rollup_5m' },
    { name: 'one day, 500 days ago: only 1-hour rollups keep it', span: D, age: 500 * D, rp: 'rollup_1h' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const now = Date.UTC(2026, 10, 22);
      const to = now - (c.age ?? 0);
      if (c.age === undefined) expect(pickSource(c.span).rp).toBe(c.rp);
      expect(sourceFor(to - c.span, to, now, retention).rp).toBe(c.rp);
    });
  }
});

describe('availabilityByArea', () => {
  const row = (site: string, up: number, down: number, other = 0): SiteAvailability => ({
    site,
    checks: { up, down, unreachable: other, unknown: 0, maintenance: 0, total: up + down + other },
    seconds: { up: up * 30, down: down * 30, unreachable: other * 30, unknown: 0, maintenance: 0, total: (up + down + other) * 30 },
    availability_pct: up + down ? (up / (up + down)) * 100 : null, source: { rp: 'raw', bucketMs: 0 },
  });
  // the place of a site comes from the inventory, whatever tags its points were written with
  const places = new Map<string, Place>([
    ['a', { province: 'P', group: 'G1', commune: 'C1' }], ['b', { province: 'P', group: 'G1', commune: 'C1' }],
    ['c', { province: 'P', group: 'G1', commune: 'C2' }], ['d', { province: 'P', commune: 'C3' }],
    ['e', { province: 'Q', commune: 'C1' }],
  ]);
  const rows = [row('a', 90, 10), row('b', 100, 0), row('c', 0, 0, 50), row('d', 50, 50), row('e', 10, 0), row('gone', 5, 5)];
  const placeOf = (id: string) => places.get(id);
  it('commune: keyed by province + commune, sums checks of its sites (UNREACHABLE excluded from the ratio); sites not in the inventory left out', () => {
    const c = availabilityByArea(rows, 'commune', placeOf);
    expect(c.map((g) => [g.province, g.commune, g.sites, g.availability_pct])).toEqual([['P', 'C1', 2, 95], ['P', 'C2', 1, null], ['P', 'C3', 1, 50], ['Q', 'C1', 1, 100]]);
  });
  it('group (only sites with one) and province', () => {
    expect(availabilityByArea(rows, 'group', placeOf).map((g) => [g.group, g.sites, g.checks.total, g.seconds.total])).toEqual([['G1', 3, 250, 7500]]);
    const p = availabilityByArea(rows, 'province', placeOf);
    expect(p).toHaveLength(2);
    expect(p[0]).not.toHaveProperty('group');
    expect(p[0]!.availability_pct).toBeCloseTo((240 / 300) * 100, 10);
  });
});
