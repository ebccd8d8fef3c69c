/**
 * Screenshots of a RUNNING `pointwatch demo` for the README (not a test):
 *
 *   npx tsx src/cli/main.ts demo --port 8080 &        # prints the demo password
 *   sleep 120                                         # let the scenario play (Tả Van goes dark at +60 s)
 *   npx tsx tests/e2e/demo-screenshots.ts http://127.0.0.1:8080 <password>
 *
 * Writes docs/screenshot-board.png (desktop) and docs/screenshot-board-phone.png (390 px), in
 * Vietnamese, with Debian's chromium and JavaScript disabled.
 */
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium } from '../helpers/chromium.js';

const [base, password] = process.argv.slice(2);
if (!base || !password) {
  process.stderr.write('usage: tsx tests/e2e/demo-screenshots.ts <base url> <admin password>\n');
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, '../..');
const browser = await launchChromium('pwshots-', { javaScriptEnabled: false, viewport: { width: 1100, height: 800 } });
try {
  const page = await browser.ctx.newPage();
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(`${base}/board`), page.click('button[type=submit].primary')]);
  await page.goto(`${base}/lang/vi?next=/board`);
  fs.mkdirSync(path.join(root, 'docs'), { recursive: true });
  await page.screenshot({ path: path.join(root, 'docs/screenshot-board.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await page.screenshot({ path: path.join(root, 'docs/screenshot-board-phone.png') });
  process.stdout.write('wrote docs/screenshot-board.png and docs/screenshot-board-phone.png\n');
} finally {
  await browser.close();
}
