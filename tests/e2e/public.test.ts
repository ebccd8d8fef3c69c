/**
 * The public status pages in Debian's chromium (playwright-core), JavaScript DISABLED, at phone
 * width (390 px), against a real server on 127.0.0.1: the province page and its SVG map, every
 * map link opens its commune page, the language switch, no request leaves the server, nothing
 * wider than the screen. Writes the README's screenshots to docs/.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import type { Fixture } from '../integration/api/fixtures.js';
import type { Inventory } from '../../src/config/schema.js';
import { publicFixture } from '../integration/public/fixture.js';
import { launchChromium, type Chromium } from '../helpers/chromium.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let f: Fixture;
let inventory: Inventory;
let base: string;
let ctx: BrowserContext;
let browser: Chromium | undefined;
const requests: string[] = [];

beforeAll(async () => {
  ({ f, inventory } = await publicFixture());
  base = await f.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium('pb-e2e-', { javaScriptEnabled: false, locale: 'vi-VN', viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
  ctx = browser.ctx;
  ctx.on('request', (r) => requests.push(r.url()));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await f?.close();
});

describe('public pages at phone width', () => {
  it('the province page: map, its links to every commune page, nothing wider than the phone, no outside request', async () => {
    const page = await ctx.newPage();
    const res = await page.goto(`${base}/public/lao-cai?lang=vi`);
    expect(res?.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe('Lào Cai');
    const map = page.locator('svg.map');
    const box = (await map.boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(390);
    expect(box.x).toBeGreaterThanOrEqual(0);
    for (const el of await page.locator('main > *').all()) {
      const b = await el.boundingBox();
      if (b) expect(b.x + b.width, await el.evaluate((e) => e.tagName).catch(() => 'element')).toBeLessThanOrEqual(390 + 0.5);
    }
    await page.screenshot({ path: path.join(ROOT, 'docs/screenshot-public-province-phone.png') });
    const links = await map.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))).catch(async () => {
      // JavaScript is off in the page: read the links from the markup instead
      const html = await page.content();
      return [...html.matchAll(/<a href="(\/public\/lao-cai\/[^"]+)"><title>/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    });
    expect(links.length).toBe(new Set(inventory.sites.map((s) => s.commune)).size);
    // a real click on a dot of the SVG map goes to that commune's page
    await Promise.all([page.waitForURL(/\/public\/lao-cai\/ta-van\?lang=vi$/), map.locator('a[href*="/ta-van?"] circle').click()]);
    await expect(page.locator('h1').textContent()).resolves.toMatch(/^Tả Van/);
    for (const href of links) {
      const r = await page.goto(`${base}${href}`);
      expect(r?.status(), href!).toBe(200);
      expect(await page.locator('ul > li.p').count(), href!).toBeGreaterThan(0);
    }
    expect(requests.filter((u) => !u.startsWith(base))).toEqual([]);
    await page.close();
  });

  it('the commune page at 390 px, and the language switch', async () => {
    const page = await ctx.newPage();
    await page.goto(`${base}/public/lao-cai/ta-van?lang=vi`);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('vi');
    expect(await page.locator('text=Lịch bảo trì và cắt điện').count()).toBe(1);
    for (const bar of await page.locator('svg.bar').all()) expect((await bar.boundingBox())!.width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(ROOT, 'docs/screenshot-public-commune-phone.png'), fullPage: true });
    await Promise.all([page.waitForURL(/lang=en$/), page.click('header a[hreflang=en]')]);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    expect(await page.locator('text=Planned maintenance and power cuts').count()).toBe(1);
    expect(requests.filter((u) => !u.startsWith(base))).toEqual([]);
    await page.close();
  });
});
