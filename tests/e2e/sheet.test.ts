/**
 * The printable commune sheet in Debian's chromium, JavaScript off, from a real server on 127.0.0.1:
 * reached from the board behind login, it shows every field of every point of the commune, loads
 * nothing else, and prints on A4 with nothing cut at the right edge. Out of scope: 404; signed out: login.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { siteWithDefaults } from '../../src/config/defaults.js';
import type { Inventory, Site } from '../../src/config/schema.js';
import type { LiveState } from '../../src/api/deps.js';
import { CA, CC, D1, D2, NOW, PROVINCE, makeFixture, type Fixture } from '../integration/api/fixtures.js';
import { launchChromium, type Chromium } from '../helpers/chromium.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts');

const base = (id: string, name: string, commune: string, extra: Partial<Site>) =>
  siteWithDefaults({ id, name, kind: 'cultural_house', province: PROVINCE, group: commune === CC ? D2 : D1, commune, host: '192.0.2.20', snmp: { version: '2c', community: 'community-SECRET-sheet' }, uplink: '4g', ...extra });

/** Commune An: one point with every field, one with many, one bare; Cát is out of the operator's scope. */
const SITES: Site[] = [
  base('an-ubnd', 'UBND xã An', CA, { kind: 'commune_office', host: '192.0.2.21', uplink: 'fibre', isp: { name: 'VNPT', account: 'VNPT-LC-000123' }, bandwidth: { down_mbps: 100, up_mbps: 100 }, power: ['grid', 'ups'], router: { model: 'MikroTik RB4011', serial: 'D4CA6D000001' }, contacts: [{ name: 'Cán bộ CNTT xã An', phone: '0912000100', role: 'CNTT xã' }] }),
  base('an-nvh-1', 'Nhà văn hóa thôn Lao Chải', CA, {
    host: '192.0.2.22', parent: 'an-ubnd', village: 'Lao Chải', lat: 22.6564, lon: 103.6111, wan_interface: 'lte1', sim: { number: '0912 000 207', carrier: 'Viettel' },
    isp: { name: 'Viettel', account: 'VT-4G-0207' }, bandwidth: { down_mbps: 20, up_mbps: 5 }, power: ['solar', 'ups'], key_holder: { name: 'Bà Lý Thị Mai', phone: '0912000108' },
    router: { model: 'MikroTik hAP ac³ LTE6', serial: 'HCA08ZZ1234' }, contacts: [{ name: 'Trưởng thôn Lao Chải', phone: '0912000107' }], added: '2025-01-15',
  }),
  base('an-dtt', 'Điểm thông tin xã An', CA, { kind: 'info_point', host: '192.0.2.23', snmp: false }),
  base('cat-nvh', 'Nhà văn hóa Cát', CC, { host: '192.0.2.30', key_holder: { name: 'Ông Cát giữ chìa', phone: '0912000300' } }),
];
const INVENTORY: Inventory = {
  sites: SITES,
  areas: [
    { level: 'commune', name: CA, contacts: [{ name: 'Văn phòng UBND xã An', phone: '0912000111' }] },
    { level: 'province', name: PROVINCE, contacts: [{ name: 'Trực ban Sở KH&CN', phone: '0912000345', email: 'truc@example.org' }] },
  ],
};
const STATES = new Map<string, LiveState>(SITES.map((s) => [s.id, { state: 'UP', since: NOW - 3_600_000, detail: '' }]));

/** Every value of the commune's points that must be on the sheet. */
const EXPECTED = [
  'UBND xã An', 'VNPT, account VNPT-LC-000123', '↓ 100 / ↑ 100 Mbit/s', 'Grid, UPS', 'MikroTik RB4011, serial D4CA6D000001', 'Cán bộ CNTT xã An', '192.0.2.21',
  'Nhà văn hóa thôn Lao Chải', '0912 000 207 (Viettel)', 'Viettel, account VT-4G-0207', '↓ 20 / ↑ 5 Mbit/s', 'Solar, UPS', 'Bà Lý Thị Mai: 0912000108',
  'MikroTik hAP ac³ LTE6, serial HCA08ZZ1234', 'Trưởng thôn Lao Chải: 0912000107', 'lte1', '22.6564, 103.6111', 'UBND xã An (an-ubnd)', '2025-01-15', 'Lao Chải',
  'Điểm thông tin xã An', 'Public information point', '192.0.2.23',
  'Văn phòng UBND xã An', 'Trực ban Sở KH&CN: 0912000345 · truc@example.org',
];

let f: Fixture;
let url: string;
let ctx: BrowserContext;
let browser: Chromium | undefined;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  f = await makeFixture({ passwords: true, settings: { auth: { session_ttl: '12h', login_attempts_per_minute: 100 } }, fleet: { inventory: INVENTORY, states: STATES } });
  url = await f.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium('tfsheet-', { javaScriptEnabled: false, locale: 'en-US', viewport: { width: 1000, height: 800 } });
  ctx = browser.ctx;
});

afterAll(async () => {
  await browser?.close();
  await f?.close();
});

describe('printable commune sheet in chromium', () => {
  it('from the board, behind login: every field of every point, nothing loaded, A4 print', async () => {
    const page = await ctx.newPage();
    const external: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith(url)) external.push(r.url()); });

    // signed out: the sheet asks for a login first, then comes back to it
    const sheetUrl = `${url}/sheet?province=${encodeURIComponent(PROVINCE)}&commune=${encodeURIComponent(CA)}`;
    await page.goto(sheetUrl);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('input[name=username]', 'op');
    await page.fill('input[name=password]', 'op-pass-123');
    await Promise.all([page.waitForURL(sheetUrl), page.click('button[type=submit].primary')]);

    // the link on the board's commune group leads to it
    await page.goto(`${url}/board`);
    await Promise.all([page.waitForURL(sheetUrl), page.getByRole('link', { name: 'Printable sheet' }).first().click()]);
    const text = await page.locator('body').innerText();
    for (const v of EXPECTED) expect(text).toContain(v);
    expect(await page.locator('section.site').count()).toBe(3);
    const body = await page.content();
    expect(body).not.toContain('community-SECRET-sheet');
    expect(body).not.toContain('Ông Cát giữ chìa'); // another commune's point
    expect(external).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'commune-sheet.png'), fullPage: true });

    // print: A4 portrait minus margins, nothing wider than the page, the back link hidden
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 794 - Math.round((24 / 25.4) * 96), height: 1000 });
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as number;
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.getByRole('link', { name: 'Back to the status board' }).isVisible()).toBe(false);
    const pdf = await page.pdf({ preferCSSPageSize: true });
    fs.writeFileSync(path.join(ARTIFACTS, 'commune-sheet.pdf'), pdf);
    const raw = pdf.toString('latin1');
    const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(raw)!;
    expect(Math.abs(Number(box[1]) - 595.28)).toBeLessThan(2);
    expect(Math.abs(Number(box[2]) - 841.89)).toBeLessThan(2);
    const pages = (raw.match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    expect(pages).toBeGreaterThanOrEqual(1);
    expect(pages).toBeLessThanOrEqual(2);
    await page.close();
  });

  it('the site page shows the field details too, and links to its commune sheet', async () => {
    const page = await ctx.newPage();
    await page.goto(`${url}/lang/en?next=/board`);
    await page.goto(`${url}/sites/an-nvh-1`);
    const text = await page.locator('main').innerText();
    for (const v of ['Router model', 'MikroTik hAP ac³ LTE6, serial HCA08ZZ1234', '0912 000 207 (Viettel)', 'Viettel, account VT-4G-0207', '↓ 20 / ↑ 5 Mbit/s', 'Solar, UPS', 'Bà Lý Thị Mai: 0912000108']) expect(text).toContain(v);
    await Promise.all([page.waitForURL(/\/sheet\?/), page.getByRole('link', { name: 'Printable sheet' }).click()]);
    expect(await page.locator('section.site').count()).toBe(3);
    await page.close();
  });

  it('in Vietnamese for a Vietnamese reader; another commune is 404 for this operator', async () => {
    const page = await ctx.newPage();
    await page.goto(`${url}/lang/vi?next=/board`);
    await page.goto(`${url}/sheet?province=${encodeURIComponent(PROVINCE)}&commune=${encodeURIComponent(CA)}`);
    const text = await page.locator('body').innerText();
    for (const v of ['Điểm Wi-Fi và liên hệ: Xã An', 'Người giữ chìa khóa', 'Điện mặt trời, Bộ lưu điện (UPS)', 'số hợp đồng VT-4G-0207', 'Băng thông theo gói cước']) expect(text).toContain(v);
    for (const en of ['Key holder', 'Printable sheet', 'Contracted bandwidth', 'Solar', 'account VT']) expect(text).not.toContain(en);
    const other = await page.goto(`${url}/sheet?province=${encodeURIComponent(PROVINCE)}&commune=${encodeURIComponent(CC)}`);
    expect(other?.status()).toBe(404);
    await page.close();
  });
});
