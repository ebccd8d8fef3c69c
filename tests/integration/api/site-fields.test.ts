/** The API returns a site's field details (SIM, provider account, package, power, key holder, router), never its SNMP access. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteWithDefaults } from '../../../src/config/defaults.js';
import type { LiveState } from '../../../src/api/deps.js';
import { CA, D1, NOW, PROVINCE, bearer, makeFixture, type Fixture } from './fixtures.js';

const field = {
  sim: { number: '0912 000 207', carrier: 'Viettel' }, isp: { name: 'Viettel', account: 'VT-4G-0207' }, bandwidth: { down_mbps: 20, up_mbps: 5 },
  power: ['solar', 'ups'], key_holder: { name: 'Bà Lý Thị Mai', phone: '0912000108' }, router: { model: 'MikroTik LtAP mini LTE kit', serial: 'HCA08ZZ1234' },
};
const site = siteWithDefaults({ id: 'a1', name: 'Nhà văn hóa thôn Lao Chải', kind: 'cultural_house', province: PROVINCE, group: D1, commune: CA, host: '192.0.2.22', snmp: { version: '2c', community: 'community-SECRET-fields' }, uplink: '4g', ...field });

let f: Fixture;
beforeAll(async () => {
  f = await makeFixture({ fleet: { inventory: { sites: [site], areas: [] }, states: new Map<string, LiveState>([['a1', { state: 'UP', since: NOW, detail: '' }]]) } });
});
afterAll(async () => { await f?.close(); });

describe('site field details in the API', () => {
  it.each([
    { name: 'detail', url: '/api/v1/sites/a1', pick: (b: { site: unknown }) => b.site },
    { name: 'list', url: '/api/v1/sites', pick: (b: { items: Array<{ site: unknown }> }) => b.items[0]!.site },
  ])('$name carries them', async ({ url, pick }) => {
    const r = await f.app.inject({ url, headers: bearer(f.tokens.op!) });
    expect(r.statusCode).toBe(200);
    expect(pick(r.json())).toMatchObject(field);
    expect(r.body).not.toContain('community-SECRET-fields');
  });
});
