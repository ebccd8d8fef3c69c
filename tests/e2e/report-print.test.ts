/**
 * The HTML coverage report in Debian's chromium: it loads nothing from the network, its charts
 * render, and it prints to A4 pages with nothing cut off at the right edge.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { computeCoverage, type StateSpan } from '../../src/reports/coverage.js';
import { renderHtml } from '../../src/reports/render/html.js';
import { localDateToUtc } from '../../src/reports/service-hours.js';
import { launchChromium, type Chromium } from '../helpers/chromium.js';

const TZ = 'Asia/Ho_Chi_Minh';
const H = 3_600_000;
const FROM = localDateToUtc('2026-10-01', TZ);
const DAYS = 30;

/** 60 sites in 12 communes, 3 groups; availability spread from 80 % to 100 %. */
function report() {
  const sites = Array.from({ length: 60 }, (_, i) => ({
    id: `diem-${i}`, name: `Điểm truy cập công cộng số ${i} – Nhà văn hoá thôn Tả Phìn`,
    province: 'Lào Cai', group: ['Bát Xát', 'Sa Pa', 'Si Ma Cai'][i % 3]!, commune: `Xã số ${i % 12}`,
  }));
  const buckets: StateSpan[] = [];
  sites.forEach((s, i) => {
    for (let h = 0; h < DAYS * 24; h++) {
      const down = (h * 7 + i * 13) % 100 < i % 20;
      buckets.push({ site: s.id, start: FROM + h * H, end: FROM + (h + 1) * H, up: down ? 0 : 120, down: down ? 120 : 0, unreachable: 0, unknown: 0, maintenance: 0, checked_s: 3600 });
    }
  });
  return computeCoverage({
    from: FROM, to: FROM + DAYS * 24 * H, generatedAt: FROM + DAYS * 24 * H,
    settings: { timezone: TZ, service_hours: { start: '06:00', end: '22:00' }, target_pct: 95, dropped_off_days: 7 },
    sites, buckets,
    incidents: sites.slice(0, 20).map((s, i) => ({ site: s.id, cause: (['power', 'link', 'unknown'] as const)[i % 3]!, opened: FROM + i * 24 * H + 9 * H, resolved: FROM + i * 24 * H + 11 * H })),
  });
}

let ctx: BrowserContext;
let browser: Chromium | undefined;
let dir: string; // the report file goes in the profile's directory (removed with it)
beforeAll(async () => {
  browser = await launchChromium('pw-report-print-');
  ctx = browser.ctx;
  dir = browser.profile;
});
afterAll(async () => {
  await browser?.close();
});

describe('HTML coverage report in chromium', () => {
  it('loads nothing, renders its charts, and prints to A4 without overflowing', async () => {
    const html = renderHtml(report(), 'site');
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, html);
    const page = await ctx.newPage();
    const requests: string[] = [];
    page.on('request', (r) => { if (r.url() !== `file://${file}`) requests.push(r.url()); });
    await page.goto(`file://${file}`);
    expect(requests).toEqual([]);

    // the availability chart has a bar per commune; the cause split has its three parts
    const svgs = await page.locator('svg').count();
    expect(svgs).toBeGreaterThanOrEqual(2);
    expect(await page.locator('figure').first().locator('rect').count()).toBe(12);
    expect(await page.locator('svg text', { hasText: 'power:' }).count()).toBe(1);

    // print layout: A4 portrait (210 mm at 96 dpi = 794 px) minus margins; nothing wider than the page
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 794 - Math.round((24 / 25.4) * 96), height: 1000 });
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as number;
    expect(overflow).toBeLessThanOrEqual(0);
    const pdf = await page.pdf({ preferCSSPageSize: true });
    const text = pdf.toString('latin1');
    const pages = (text.match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    expect(pages).toBeGreaterThanOrEqual(2); // 60 sites do not fit on one page
    expect(pages).toBeLessThanOrEqual(8);
    // A4 in points is 595.28 x 841.89 (chromium rounds to whole CSS pixels: 594.96 x 841.92)
    const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(text)!;
    expect(Math.abs(Number(box[1]) - 595.28)).toBeLessThan(2);
    expect(Math.abs(Number(box[2]) - 841.89)).toBeLessThan(2);
  });
});
