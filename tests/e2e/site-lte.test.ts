/**
 * At phone width (390 px) in Debian's chromium, JavaScript off, against the app on a real influxd
 * holding a week of push reports (tests/integration/api/lte-fixture.ts):
 *   - commune IT staff open a 4G site: the signal in one word, the package, the RSRP and SINR
 *     charts, nothing wider than the screen;
 *   - a trainee follows the alert's link, writes a long outcome but leaves "what was done" as
 *     spaces: the page comes back in Vietnamese saying which field, the long text still in the
 *     form; filling the field saves it.
 * Screenshots go to tests/artifacts/ (gitignored).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { linkKey, signIncidentLink } from '../../src/alerting/links.js';
import { NOW } from '../integration/api/fixtures.js';
import { startLteFixture, type LteFixture } from '../integration/api/lte-fixture.js';
import { launchChromium, type Chromium } from '../helpers/chromium.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts');
let x: LteFixture;
let base: string;
let ctx: BrowserContext;
let browser: Chromium | undefined;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  x = await startLteFixture();
  base = await x.f.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium('pwe2e-lte-', { javaScriptEnabled: false, locale: 'vi-VN', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
  ctx = browser.ctx;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await x?.close();
});

async function noWiderThanTheScreen(page: Page) {
  expect((await page.evaluate('document.documentElement.scrollWidth')) as number).toBeLessThanOrEqual(390);
}

describe('on a phone, without JavaScript', () => {
  it('a 4G site: the signal in one word, the package, RSRP and SINR charts, within the screen', async () => {
    const page = await ctx.newPage();
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(base)) external.push(r.url());
    });
    await page.goto(`${base}/login?next=/sites/a2`);
    await page.fill('input[name=username]', 'op');
    await page.fill('input[name=password]', 'op-pass-123');
    await Promise.all([page.waitForURL(`${base}/sites/a2`), page.click('button[type=submit].primary')]);
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    const lte = page.locator('#lte');
    expect(await lte.locator('h2').textContent()).toBe('Sóng di động (4G)');
    expect(await lte.locator('.badge').textContent()).toBe('Sóng trung bình');
    expect(await lte.textContent()).toContain('đã hết dung lượng');
    expect(await lte.locator('svg.chart').count()).toBe(4);
    // each chart is drawn at the width of the screen, not wider
    for (const box of await lte.locator('svg.chart').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width))) {
      expect(box).toBeGreaterThan(300);
      expect(box).toBeLessThanOrEqual(390);
    }
    await noWiderThanTheScreen(page);
    await page.screenshot({ path: path.join(ARTIFACTS, 'site-lte-phone.png'), fullPage: true });
    await lte.screenshot({ path: path.join(ARTIFACTS, 'site-lte-phone-section.png') });
    expect(external).toEqual([]);
    await page.close();
  });

  it('a trainee\'s refused outcome comes back in Vietnamese with the long text kept; completing it saves', async () => {
    const i = x.f.incidents.items.find((v) => v.id === 1)!;
    const token = signIncidentLink(linkKey(x.f.deps.sessionSecret), { id: 1, opened_at: i.opened_at }, NOW + 86_400_000);
    const page = await ctx.newPage();
    await page.goto(`${base}/s/${token}/outcome`);
    const cause = 'Sét đánh đêm qua làm nhảy cầu dao tổng, bộ nguồn của bộ định tuyến bị cháy; đã kiểm tra dây nguồn và ổ cắm, đèn nguồn không sáng. '.repeat(4).trim();
    await page.fill('#outcome input[name=name]', 'Minh');
    await page.fill('textarea[name=cause_found]', cause);
    await page.fill('textarea[name=actions]', '   '); // spaces pass the browser's "required": the server refuses
    await Promise.all([page.waitForLoadState(), page.click('#outcome button[type=submit]')]);
    expect(page.url()).toBe(`${base}/s/${token}/outcome`);
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    expect(await page.locator('main > p.banner.err').first().textContent()).toBe('Đã làm gì: không được để trống. Đến biểu mẫu');
    expect(await page.inputValue('textarea[name=cause_found]')).toBe(cause);
    expect(await page.inputValue('#outcome input[name=name]')).toBe('Minh');
    await noWiderThanTheScreen(page);
    await page.screenshot({ path: path.join(ARTIFACTS, 'outcome-refused-phone.png') });
    // the summary's link goes to the form; then "what was done" is written and the outcome saved
    await page.click('main > p.banner.err a');
    await page.fill('textarea[name=actions]', 'Thay bộ nguồn 12V, bật lại, chờ 3 phút: đèn WAN sáng.');
    await Promise.all([page.waitForURL(/#outcome$/), page.click('#outcome button[type=submit]')]);
    expect(x.f.incidents.outcome(1)).toMatchObject({ cause_found: cause, actions: 'Thay bộ nguồn 12V, bật lại, chờ 3 phút: đèn WAN sáng.' });
    expect(await page.textContent('#outcome')).toContain('Minh (qua liên kết trong cảnh báo)');
    await page.close();
  });
});
