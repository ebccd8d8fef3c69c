import { describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../config/defaults.js';
import { availabilityByArea, pickSource, sourceFor, type SiteAvailability } from './reader.js';

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
  const row = (site: string, district: string, commune: string, up: number, down: number, other = 0): SiteAvailability => ({
    site, commune, district, province: 'P',
    checks: { up, down, unreachable: other, unknown: 0, maintenance: 0, total: up + down + other },
    seconds: { up: up * 30, down: down * 30, unreachable: other * 30, unknown: 0, maintenance: 0, total: (up + down + other) * 30 },
    availability_pct: up + down ? (up / (up + down)) * 100 : null, source: { rp: 'raw', bucketMs: 0 },
  });
  const rows = [row('a', 'D1', 'C1', 90, 10), row('b', 'D1', 'C1', 100, 0), row('c', 'D1', 'C2', 0, 0, 50), row('d', 'D2', 'C3', 50, 50)];
  it('commune: sums checks of its sites (UNREACHABLE excluded from the ratio)', () => {
    const c = availabilityByArea(rows, 'commune');
    expect(c.map((g) => [g.commune, g.sites, g.availability_pct])).toEqual([['C1', 2, 95], ['C2', 1, null], ['C3', 1, 50]]);
  });
  it('district and province', () => {
    expect(availabilityByArea(rows, 'district').map((g) => [g.district, g.sites, g.checks.total, g.seconds.total])).toEqual([['D1', 3, 250, 7500], ['D2', 1, 100, 3000]]);
    const p = availabilityByArea(rows, 'province');
    expect(p).toHaveLength(1);
    expect(p[0]).not.toHaveProperty('district');
    expect(p[0]!.availability_pct).toBeCloseTo((240 / 300) * 100, 10);
  });
});
