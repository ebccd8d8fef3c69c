import { describe, expect, it } from 'vitest';
import { incidentList } from './incident-list.js';

describe('incidentList', () => {
  const sites = [
    { id: 'a', name: 'Nhà văn hóa A', province: 'P', district: 'D', commune: 'Xã A' },
    { id: 'b', name: 'Trường B', province: 'P', district: 'D', commune: 'Xã B' },
  ];
  const outcome = { cause_found: 'Mất điện', actions: 'Bật aptomat', parts: null, by: 'Minh' };
  const cases = [
    { name: 'overlapping incidents of the report\'s sites, oldest first, with names and outcomes', incidents: [
      { id: 7, site: 'b', cause: 'link' as const, opened: 5000, resolved: 6000, kind: 'site-down' },
      { id: 5, site: 'a', cause: 'power' as const, opened: 2000, resolved: 4000, kind: 'site-down', outcome },
      { id: 9, site: 'zz', cause: 'power' as const, opened: 2000, resolved: 4000 }, // not a site of the report
      { id: 3, site: 'a', cause: 'power' as const, opened: 100, resolved: 900 }, // before the period
      { id: 8, site: 'a', cause: 'unknown' as const, opened: 9000, resolved: null }, // still open
    ], want: [[5, 'Nhà văn hóa A', 'Xã A', outcome], [7, 'Trường B', 'Xã B', null], [8, 'Nhà văn hóa A', 'Xã A', null]] },
    { name: 'no incidents', incidents: [], want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = incidentList({ from: 1000, to: 10_000, sites: sites as never, incidents: c.incidents });
      expect(got.map((e) => [e.id, e.name, e.commune, e.outcome])).toEqual(c.want);
    });
  }
});
