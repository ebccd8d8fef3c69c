/** tests/helpers/chromium: the browser every e2e test launches, with the options a test chooses; close() leaves nothing behind. */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium, type Chromium } from '../helpers/chromium.js';

describe('tests/helpers/chromium', () => {
  let browser: Chromium | undefined;
  let server: http.Server | undefined;
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it('opens a page with the options asked for (JavaScript off, locale, viewport); close() removes the profile', async () => {
    server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<p id=lang>${req.headers['accept-language'] ?? ''}</p><p id=js>off</p><script>document.getElementById('js').textContent = 'on'</script>`);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

    browser = await launchChromium('pw-chromium-helper-', { javaScriptEnabled: false, locale: 'vi-VN', viewport: { width: 390, height: 844 } });
    expect(fs.existsSync(browser.profile)).toBe(true);
    const page = await browser.ctx.newPage();
    await page.goto(url);
    expect(await page.textContent('#js')).toBe('off'); // the page's script did not run
    expect(await page.textContent('#lang')).toMatch(/^vi-VN/);
    expect(page.viewportSize()).toEqual({ width: 390, height: 844 });

    await browser.close();
    await browser.close(); // twice is fine
    expect(fs.existsSync(browser.profile)).toBe(false);
    await expect(browser.ctx.newPage()).rejects.toThrow();
  });
});
