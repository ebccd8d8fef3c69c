/**
 * The province map on the signed-in coverage page (/coverage): one linked dot per commune of the
 * report, coloured by the report's classes, each link opening that commune's per-site report of
 * the same period; no map when no site has coordinates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoverageParams } from '../../../src/api/deps.js';
import type { Inventory } from '../../../src/config/schema.js';
import type { Fixture } from '../api/fixtures.js';
import { publicFixture } from './fixture.js';
import { BudgetStore } from '../../../src/alerting/budget.js';
import { communeKey } from '../../../src/inventory/places.js';

let f: Fixture;
let inventory: Inventory;
let cookie = '';

beforeAll(async () => {
  ({ f, inventory } = await publicFixture({
    passwords: true,
    deps: (base) => {
      const rows = base.coverage.bind(base); // taken now: base is the object this override lands on
      return {
      coverage: async (p: CoverageParams) => ({
        ...(await rows(p)),
        map: inventory.sites.filter((s) => p.sites.includes(s.id)).map((s) => ({ site: s.id, province: s.province, commune: s.commune, class: s.commune === 'Si Ma Cai' ? 'dropped_off' as const : 'live' as const })),
      }),
      };
    },
  }));
  const page = await f.app.inject({ url: '/login' });
  const lc = page.cookies.find((c) => c.name === 'pw_login')!;
  const csrf = /name="_csrf" value="([^"]*)"/.exec(page.body)![1]!;
  const res = await f.app.inject({ method: 'POST', url: '/login', headers: { cookie: `pw_login=${lc.value}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ username: 'admin', password: 'admin-pass-1', _csrf: csrf, next: '/coverage' }).toString() });
  cookie = `pw_session=${res.cookies.find((c) => c.name === 'pw_session')!.value}`;
});
afterAll(async () => f?.close());

describe('coverage page map', () => {
  it('shows the map with a link per commune to its report of the same period', async () => {
    const r = await f.app.inject({ url: '/coverage?from=2026-11-01&to=2026-11-19&group_by=commune', headers: { cookie } });
    expect(r.statusCode).toBe(200);
    const links = [...r.body.matchAll(/<a href="(\/coverage\?[^"]+)"><title>([^<]+)<\/title><circle [^>]*fill="([^"]+)"/g)];
    const communes = new Set(inventory.sites.map((s) => s.commune));
    expect(links.map((l) => l[2]).sort()).toEqual([...communes].sort());
    const canCau = links.find((l) => l[2] === 'Si Ma Cai')!;
    expect(canCau[3]).toBe('#c62828');
    const q = new URLSearchParams(canCau[1]!.replace(/&amp;/g, '&').split('?')[1]);
    expect(Object.fromEntries(q)).toEqual({ from: '2026-11-01', to: '2026-11-19', group_by: 'site', province: 'Lào Cai', commune: 'Si Ma Cai' });
    // the link opens that commune's report
    const opened = await f.app.inject({ url: canCau[1]!.replace(/&amp;/g, '&'), headers: { cookie } });
    expect(opened.statusCode).toBe(200);
    const call = f.coverageCalls.at(-1)!;
    expect(call.group_by).toBe('site');
    expect(new Set(inventory.sites.filter((s) => call.sites.includes(s.id)).map((s) => s.commune))).toEqual(new Set(['Si Ma Cai']));
  });

  it('lists the SMS/Zalo spending of the communes in the report, for its months', async () => {
    const store = new BudgetStore(f.db);
    const yTy = inventory.sites.find((x) => x.commune === 'Y Tý')!;
    for (const [i, r] of ['84912000001', '84912000002', '84912000003'].entries()) store.recordSpend(communeKey(yTy), '2026-11', `n${i}`, 'sms', r, Date.UTC(2026, 10, 10));
    store.recordSpend('Tỉnh Khác/Huyện/Xã Khác', '2026-11', 'n9', 'sms', '84912000009', Date.UTC(2026, 10, 10));
    const r = await f.app.inject({ url: '/coverage?from=2026-11-01&to=2026-11-19&group_by=commune', headers: { cookie } });
    expect(r.body).toContain('Tin SMS/Zalo đã gửi trong tháng');
    expect(r.body).toMatch(/<td>Y Tý \(2026-11\)<\/td><td>3<\/td><td>0<\/td>/);
    expect(r.body).not.toContain('Xã Khác');
  });
});
