/**
 * The web UI in Debian's chromium (playwright-core, never a downloaded browser), with JavaScript
 * DISABLED (the pages must work without it), against a real server listening on 127.0.0.1:
 * sign in, see the board, open a down site, acknowledge its incident, tick runbook steps, switch
 * language. Screenshots go to tests/artifacts/ (gitignored). The README's screenshots come from a
 * running demo: tests/e2e/demo-screenshots.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { bigFleet, makeFixture, type Fixture } from '../integration/api/fixtures.js';
import { launchChromium, type Chromium } from '../helpers/chromium.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'tests/artifacts');

let f: Fixture;
let board: Fixture;
let base: string;
let boardBase: string;
let ctx: BrowserContext;
let browser: Chromium | undefined;

async function shot(page: Page, name: string, fullPage = true): Promise<string> {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

async function signIn(page: Page, baseUrl: string, user: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/board`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(`${baseUrl}/board`), page.click('button[type=submit].primary')]);
}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const settings = { auth: { session_ttl: '12h', login_attempts_per_minute: 100 } };
  f = await makeFixture({ passwords: true, settings });
  board = await makeFixture({ passwords: true, settings, fleet: bigFleet(40) });
  base = await f.app.listen({ host: '127.0.0.1', port: 0 });
  boardBase = await board.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium('pwe2e-', { javaScriptEnabled: false, locale: 'en-US', viewport: { width: 1100, height: 800 } });
  ctx = browser.ctx;
});

afterAll(async () => {
  await browser?.close();
  await f?.close();
  await board?.close();
});

describe('web UI in chromium, without JavaScript', () => {
  it('sign in, board, down site, acknowledge, runbook steps, language switch', async () => {
    const page = await ctx.newPage();
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(base)) external.push(r.url());
    });

    // sign in: a wrong password first
    await page.goto(`${base}/login`);
    await page.fill('input[name=username]', 'op');
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('button[type=submit].primary');
    await expect.poll(() => page.textContent('.banner')).toBe('Wrong user name or password.');
    await shot(page, '01-login-failed');
    await page.fill('input[name=username]', 'op');
    await page.fill('input[name=password]', 'op-pass-123');
    await Promise.all([page.waitForURL(`${base}/board`), page.click('button[type=submit].primary')]);

    // the board: my commune only, the DOWN site first
    expect(await page.textContent('h1')).toBe('Status board');
    const names = await page.$$eval('ul.sites a.name', (as) => as.map((a) => a.textContent));
    expect(names).toEqual(['Nhà văn hóa thôn 1', 'Trường tiểu học An', 'Điểm thông tin xã An']);
    expect(await page.textContent('ul.sites li:first-child .badge')).toBe('Down');
    await shot(page, '02-board');

    // open the down site
    await Promise.all([page.waitForURL(`${base}/sites/a1`), page.click('text=Nhà văn hóa thôn 1')]);
    expect(await page.textContent('h1')).toBe('Nhà văn hóa thôn 1');
    expect(await page.textContent('.card .badge')).toBe('Down');
    expect(await page.locator('svg.chart').count()).toBe(4);
    await shot(page, '03-site-down');

    // its incident: acknowledge with a note
    await Promise.all([page.waitForURL(`${base}/incidents/1`), page.click('a[href="/incidents/1"]')]);
    expect(await page.textContent('h1')).toBe('#1 Wi-Fi point down');
    expect(await page.locator('ol.steps > li').count()).toBe(10);
    await page.fill('textarea[name=note]', 'On my way, 15 minutes');
    await Promise.all([page.waitForLoadState(), page.click('button:has-text("Acknowledge")')]);
    expect(await page.textContent('main')).toContain('Acknowledged by op at 20/11 10:00: On my way, 15 minutes');
    expect(await page.locator('textarea[name=note]').count()).toBe(0);

    // tick steps 1 and 2 (checkboxes in one form, saved with a plain POST), each with a note; then untick step 2
    await page.check('#step-1 input[type=checkbox]');
    await page.fill('#step-1 input[name=note_1]', 'power light off');
    await Promise.all([page.waitForURL(/#step-1$/), page.click('#step-1 button')]);
    await page.check('#step-2 input[type=checkbox]');
    await page.fill('#step-2 input[name=note_2]', 'UPS beeping');
    await Promise.all([page.waitForURL(/#step-2$/), page.click('#step-2 button')]);
    expect(await page.getAttribute('#step-1', 'class')).toBe('done');
    expect(await page.getAttribute('#step-2', 'class')).toBe('done');
    expect(await page.textContent('#step-1')).toContain('done by op at 20/11 10:00: power light off');
    expect(await page.getAttribute('#step-3', 'class')).toBe('');
    await shot(page, '04-incident-steps');
    await page.uncheck('#step-2 input[type=checkbox]');
    await Promise.all([page.waitForEvent('load'), page.click('#step-2 button')]);
    expect(await page.getAttribute('#step-2', 'class')).toBe('');
    expect(f.incidents.steps(1).map((s) => [s.step, s.done, s.by, s.note])).toEqual([[1, true, 'op', 'power light off'], [2, false, 'op', null]]);
    expect(f.incidents.items[0]).toMatchObject({ acknowledged_by: 'op', ack_note: 'On my way, 15 minutes' });

    // switch language: the same page, in Vietnamese, and it sticks
    await Promise.all([page.waitForURL(`${base}/incidents/1`), page.click('text=Tiếng Việt')]);
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    expect(await page.textContent('main')).toContain('op đã nhận lúc 20/11 10:00');
    expect(await page.textContent('main')).toContain('Hướng dẫn xử lý');
    await shot(page, '05-incident-vi');
    await page.goto(`${base}/board`);
    expect(await page.textContent('h1')).toBe('Bảng trạng thái');
    expect(await page.textContent('ul.sites li:first-child .badge')).toBe('Mất kết nối');

    // nothing was fetched from anywhere but this server
    expect(external).toEqual([]);
    await page.close();
  });

  it('the status board of 40 sites on a phone and on a desktop', async () => {
    const page = await ctx.newPage();
    await signIn(page, boardBase, 'admin', 'admin-pass-1');
    await page.goto(`${boardBase}/lang/vi?next=/board`);
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    expect(await page.locator('ul.sites li').count()).toBe(40);
    await shot(page, 'board-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    // mobile-first: nothing wider than the screen
    const overflow = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    expect(overflow).toBeLessThanOrEqual(390);
    await shot(page, 'board-phone', false);
    // problems first, and on a phone the healthy sites can be hidden with a plain link (no JavaScript)
    expect(await page.textContent('ul.sites li:first-child .badge')).not.toBe('Hoạt động');
    await Promise.all([page.waitForURL(`${boardBase}/board?show=problems`), page.click('text=Chỉ xem điểm có sự cố')]);
    const badges = await page.$$eval('ul.sites li .badge', (bs) => bs.map((b) => b.textContent));
    expect(badges.length).toBe(16); // 40 sites, 24 of them up or in planned maintenance
    expect(badges).not.toContain('Hoạt động');
    expect(badges).not.toContain('Bảo trì');
    expect(await page.textContent('p.filter')).toContain('Đã ẩn 24 điểm đang hoạt động hoặc đang bảo trì theo lịch.');
    await shot(page, 'board-phone-problems', false);
    await Promise.all([page.waitForURL(`${boardBase}/board`), page.click('text=Xem tất cả các điểm')]);
    expect(await page.locator('ul.sites li').count()).toBe(40);
    await page.close();
  });
});
