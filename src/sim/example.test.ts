import { describe, expect, it } from 'vitest';
import { siteWithDefaults } from '../config/defaults.js';
import { inventoryOnFleet } from './example.js';

const example = {
  sites: [
    siteWithDefaults({ id: 'ubnd-ta-van', name: 'UBND xã Tả Van', kind: 'commune_office', province: 'Lào Cai', commune: 'Tả Van', host: '198.51.100.10', snmp: { version: '2c', community: 'public' }, isp: { name: 'VNPT', account: 'LCI-1' } }),
    siteWithDefaults({ id: 'dtc-ta-van', name: 'Điểm thông tin', kind: 'info_point', province: 'Lào Cai', commune: 'Tả Van', host: '198.51.100.11', snmp: false, parent: 'ubnd-ta-van' }),
  ],
  areas: [{ level: 'province' as const, name: 'Lào Cai', contacts: [{ name: 'Trực ban' }] }],
};
const fleet = [
  { host: '127.77.0.1', snmp: { version: '2c' as const, community: 'simpublic', port: 12000 } },
  { host: '127.77.0.2', snmp: { version: '2c' as const, community: 'simpublic', port: 12001 } },
  { host: '127.77.0.3', snmp: { version: '2c' as const, community: 'simpublic', port: 12002 } },
];

describe('inventoryOnFleet', () => {
  it('keeps every place, parent and field detail; takes host and SNMP from the router at the same position', () => {
    const inv = inventoryOnFleet(example, fleet);
    expect(inv.sites.map((s) => [s.id, s.commune, s.parent, s.host, s.snmp])).toEqual([
      ['ubnd-ta-van', 'Tả Van', undefined, '127.77.0.1', fleet[0]!.snmp],
      ['dtc-ta-van', 'Tả Van', 'ubnd-ta-van', '127.77.0.2', fleet[1]!.snmp],
    ]);
    expect(inv.sites[0]!.isp).toEqual({ name: 'VNPT', account: 'LCI-1' });
    expect(inv.areas).toEqual(example.areas);
    expect(example.sites[0]!.host).toBe('198.51.100.10'); // the example itself is untouched
  });
  it('refuses a fleet smaller than the example', () => {
    expect(() => inventoryOnFleet(example, fleet.slice(0, 1))).toThrow('sim: the fleet has 1 routers for 2 example sites');
  });
});
