/**
 * Issue 17's proof: from a dark router to a recorded outcome, on a phone, in Vietnamese.
 *
 * The real service (src/main.ts, as `pointwatch run` wires it), a real influxd, fping, a small
 * fleet of three routers inside a network namespace this test creates (`tw...`), a real webhook
 * receiver, and Debian's chromium at 390 px with JavaScript OFF:
 *   a router is dropped with iptables → the notice arrives at the webhook → the test opens the
 *   link from the notice WITHOUT signing in → acknowledges and ticks two steps → the DROP is
 *   removed and the site recovers → the outcome is written on the resolved incident → the incident
 *   page, the audit log and the coverage report show it.
 * Screenshots: tests/artifacts/runbook-phone.png (the top of the page with two steps ticked: the
 * README's docs/screenshot-runbook-phone.png is a copy) and runbook-phone-resolved-full.png.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { settingsWithDefaults, siteWithDefaults } from '../../src/config/defaults.js';
import type { Inventory } from '../../src/config/schema.js';
import { startService, type Service } from '../../src/main.js';
import { AuthStore } from '../../src/api/auth/store.js';
import { silentLogger } from '../../src/core/logger.js';
import { startInfluxd, type Influxd } from '../helpers/influxd.js';
import { freeTcpPort } from '../helpers/ports.js';
import { startWebhook, type WebhookReceiver } from '../helpers/webhook.js';
import { launchChromium, type Chromium } from '../helpers/chromium.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'tests/artifacts');

interface Hook { event: string; kind: string; incident_id: number; site: { id: string } | null; runbook_url: string; ack_url: string; outcome_url: string | null; text: string }

// Our own namespace: `tw` + pid, veth `tw<pid>a` (root side) / `tw<pid>b` (namespace side).
const NS = `twe2e${process.pid}`;
const VA = `tw${process.pid % 100000}a`;
const VB = `tw${process.pid % 100000}b`;
let subnet = '';
const ADDR = (n: number) => `${subnet}.${n}`;
const DARK = 'tw-nvh-2';

let influxd: Influxd;
let svc: Service;
let hook: WebhookReceiver<Hook>;
let ctx: BrowserContext;
let browser: Chromium | undefined;
let adminToken = '';
let nsUp = false;

const sh = (cmd: string, ...args: string[]) => run(cmd, args, { timeout: 15_000 });
const inNs = (...args: string[]) => sh('ip', 'netns', 'exec', NS, ...args);

/** A /24 under 10.253/16 that no route here uses yet. */
async function freeSubnet(): Promise<string> {
  const { stdout } = await sh('ip', '-4', 'route', 'show');
  for (let k = 1 + (process.pid % 200); k < 255; k++) if (!stdout.includes(`10.253.${k}.`)) return `10.253.${k}`;
  throw new Error('no free 10.253.K.0/24');
}

async function setupNetns(): Promise<void> {
  subnet = await freeSubnet();
  await sh('ip', 'netns', 'add', NS);
  nsUp = true;
  await sh('ip', 'link', 'add', VA, 'type', 'veth', 'peer', 'name', VB);
  await sh('ip', 'link', 'set', VB, 'netns', NS);
  await sh('ip', 'addr', 'add', `${ADDR(1)}/24`, 'dev', VA);
  await sh('ip', 'link', 'set', VA, 'up');
  await inNs('ip', 'link', 'set', 'lo', 'up');
  // three "routers": addresses of the namespace's interface, each answering ping from its kernel
  for (const n of [2, 3, 4]) await inNs('ip', 'addr', 'add', `${ADDR(n)}/24`, 'dev', VB);
  await inNs('ip', 'link', 'set', VB, 'up');
}

async function teardownNetns(): Promise<void> {
  if (!nsUp) return;
  await sh('ip', 'netns', 'del', NS).catch(() => undefined);
  await sh('ip', 'link', 'del', VA).catch(() => undefined);
  nsUp = false;
}

const dropRule = (host: string) => ['INPUT', '-d', host, '-p', 'icmp', '-j', 'DROP'];

function inventory(): Inventory {
  const base = { kind: 'cultural_house', province: 'Lào Cai', commune: 'Y Tý', snmp: false, uplink: '4g' };
  return {
    sites: [
      siteWithDefaults({ ...base, id: 'tw-ubnd-1', name: 'UBND xã Y Tý', kind: 'commune_office', host: ADDR(2), uplink: 'fibre' }),
      siteWithDefaults({ ...base, id: DARK, name: 'Nhà văn hóa thôn Lao Chải', host: ADDR(3), village: 'Lao Chải', contacts: [{ name: 'Ông Sùng A Páo (giữ chìa khóa)', phone: '0912 000 111' }] }),
      siteWithDefaults({ ...base, id: 'tw-nvh-3', name: 'Nhà văn hóa thôn Mò Phú Chải', host: ADDR(4) }),
    ],
    areas: [{ level: 'commune', name: 'Y Tý', contacts: [{ name: 'Chị Lan (CNTT xã)', phone: '0912 345 678' }] }],
  };
}

async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function api<T>(p: string): Promise<T> {
  const res = await fetch(`${svc.url}${p}`, { headers: { authorization: `Bearer ${adminToken}` } });
  expect(res.status, p).toBe(200);
  return (await res.json()) as T;
}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twe2e-'));
  await setupNetns();
  influxd = await startInfluxd();
  hook = await startWebhook<Hook>();
  const apiPort = await freeTcpPort();
  const settings = settingsWithDefaults({
    data_dir: dir,
    runbooks_dir: path.resolve(ROOT, 'config/runbooks'),
    log_level: 'warn',
    influx: { url: influxd.url, database: 'twe2e', flush_interval_ms: 200 },
    poller: { ping: { interval_s: 10, count: 5, period_ms: 50, timeout_ms: 300 }, recheck: { delay_s: 1 }, spread: false },
    alerting: { default_lang: 'vi' },
    notifiers: [{ type: 'webhook', name: 'hook', url: `${hook.url}/pw`, secret: 'tw-webhook-secret' }],
    api: { host: '127.0.0.1', port: apiPort, public_url: `http://127.0.0.1:${apiPort}` },
  });
  const settingsPath = path.join(dir, 'pointwatch.yaml');
  fs.writeFileSync(settingsPath, '{}\n');
  svc = await startService({
    loaded: { settings, inventory: inventory(), settingsPath, inventoryPath: path.join(dir, 'sites.yaml'), warnings: [] },
    schedule: false,
    logger: silentLogger(),
  });
  const auth = new AuthStore(svc.db);
  const admin = await auth.addUser('admin', 'admin', [], 'admin-pass-e2e-1');
  adminToken = auth.createToken(admin.id, 'e2e').token;
  browser = await launchChromium('twe2e-chromium-', { javaScriptEnabled: false, locale: 'vi-VN', viewport: { width: 390, height: 844 } });
  ctx = browser.ctx;
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await svc?.stop();
  await influxd?.destroy();
  await hook?.close();
  await teardownNetns();
});

describe('the trainee loop, end to end, on a phone', () => {
  let notice: Hook;
  let page: Page;

  it('a router dropped on the wire: one notice at the webhook, carrying a signed link', async () => {
    await svc.cycle();
    await svc.cycle();
    expect([...svc.engine.states().values()].map((s) => s.state)).toEqual(['UP', 'UP', 'UP']);
    await inNs('iptables', '-A', ...dropRule(ADDR(3)));
    await svc.cycle(); // the check fails, the fast re-check confirms it
    notice = await hook.waitFor('the firing notice', (h) => h.event === 'firing');
    expect(notice).toMatchObject({ kind: 'site-down', site: { id: DARK } });
    expect(notice.runbook_url).toMatch(new RegExp(`^${svc.url}/s/${notice.incident_id}\\.[0-9a-z]+\\.[A-Za-z0-9_-]{22}$`));
    expect(notice.ack_url).toBe(`${notice.runbook_url}/ack`);
    expect(notice.text).toContain(notice.runbook_url); // the link is in the message people read
  }, 60_000);

  it('the link opens the runbook page without signing in: facts filled in, acknowledge, two steps ticked', async () => {
    page = await ctx.newPage();
    const external: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith(svc.url!)) external.push(r.url()); });
    const link = /Hướng dẫn xử lý: (\S+)/.exec(notice.text)![1]!; // taken from the notice's body, as a person would
    const res = await page.goto(link);
    expect(res?.status()).toBe(200);
    expect(Buffer.byteLength(await res!.text())).toBeLessThan(50_000);
    expect(new URL(page.url()).pathname).toMatch(/^\/s\//); // not bounced to the sign-in page
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    expect(await page.textContent('h1')).toBe(`#${notice.incident_id} Điểm Wi-Fi mất kết nối`);
    const main = (await page.textContent('main'))!;
    expect(main).toContain('Nhà văn hóa thôn Lao Chải');
    expect(main).toContain('Y Tý, Lào Cai');
    expect(main).toContain('Nguyên nhân (ước đoán)');
    expect(main).toContain('0912 000 111'); // the key holder's number, as the runbook renders the contacts
    expect(await page.locator('input[type=checkbox][name=done]').count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('script').count()).toBe(0);
    expect((await page.evaluate('document.documentElement.scrollWidth')) as number).toBeLessThanOrEqual(390);

    // acknowledge (one tap, with a name)
    await page.fill('#ack input[name=name]', 'Minh');
    await page.fill('#ack textarea[name=note]', 'Đang đến nhà văn hóa');
    await Promise.all([page.waitForLoadState(), page.click('#ack button[type=submit]')]);
    expect(await page.textContent('#ack')).toContain('Minh (qua liên kết trong cảnh báo) đã nhận lúc');

    // tick two steps in the checklist and save (JavaScript is off: a plain form POST)
    await page.check('#step-1 input[type=checkbox]');
    await page.check('#step-2 input[type=checkbox]');
    await page.fill('#step-2 input[name=note_2]', 'Đèn nguồn tắt, ổ cắm không có điện');
    await Promise.all([page.waitForURL(/#step-2$/), page.click('#step-2 button[type=submit]')]);
    expect(await page.getAttribute('#step-1', 'class')).toBe('done');
    expect(await page.getAttribute('#step-2', 'class')).toBe('done');
    expect(await page.getAttribute('#step-3', 'class')).toBe('');
    expect(await page.isChecked('#step-2 input[type=checkbox]')).toBe(true);
    expect(await page.textContent('#step-2')).toContain('Đèn nguồn tắt, ổ cắm không có điện');
    // the README's picture: the top of the page as the trainee sees it, at phone width
    await page.goto(link);
    await page.screenshot({ path: path.join(ARTIFACTS, 'runbook-phone.png'), fullPage: true, clip: { x: 0, y: 0, width: 390, height: 1750 } });
    expect(external).toEqual([]);
  }, 30_000);

  it('the site recovers (DROP removed): the incident resolves and the outcome is written on it through the link', async () => {
    await inNs('iptables', '-D', ...dropRule(ADDR(3)));
    await until('the resolved notice', async () => {
      await svc.cycle();
      return hook.bodies.find((h) => h.event === 'resolved' && h.incident_id === notice.incident_id);
    }, 45_000);
    expect(svc.engine.states().get(DARK)?.state).toBe('UP');

    await page.goto(notice.outcome_url!); // the notice's "Đã xử lý xong" link: opens the form, changes nothing
    expect(new URL(page.url()).hash).toBe('#outcome');
    const main = (await page.textContent('main'))!;
    expect(main).toContain('Đã xử lý');
    expect(main).toContain('Điểm đã hoạt động lại. Bạn vẫn có thể ghi lại việc đã làm đến');
    await page.fill('#outcome textarea[name=cause_found]', 'Mất điện lưới: aptomat nhà văn hóa bị nhảy');
    await page.fill('#outcome textarea[name=actions]', 'Bật lại aptomat, khởi động lại bộ định tuyến, kiểm tra Wi-Fi bằng điện thoại');
    await page.fill('#outcome input[name=parts]', 'Ổ cắm điện');
    await Promise.all([page.waitForURL(/#outcome$/), page.click('#outcome button[type=submit]')]);
    expect(await page.textContent('#outcome')).toContain('Mất điện lưới: aptomat nhà văn hóa bị nhảy');
    await page.goto(notice.runbook_url);
    await page.screenshot({ path: path.join(ARTIFACTS, 'runbook-phone-resolved-full.png'), fullPage: true });
  }, 60_000);

  it('the incident page, the audit log and the coverage report show it', async () => {
    const id = notice.incident_id;
    // the signed-in incident page (plain link), as the commune's reviewer would open it
    const admin = await ctx.newPage();
    await admin.goto(`${svc.url}/incidents/${id}`);
    expect(new URL(admin.url()).pathname).toBe('/login');
    await admin.fill('input[name=username]', 'admin');
    await admin.fill('input[name=password]', 'admin-pass-e2e-1');
    await Promise.all([admin.waitForURL(`${svc.url}/incidents/${id}`), admin.click('button[type=submit].primary')]);
    const inc = (await admin.textContent('main'))!;
    expect(inc).toContain('Minh (qua liên kết trong cảnh báo) đã nhận lúc');
    expect(inc).toContain('Mất điện lưới: aptomat nhà văn hóa bị nhảy');
    expect(inc).toContain('Ổ cắm điện');
    expect(await admin.getAttribute('#step-2', 'class')).toBe('done');

    // the audit log: every action through the link says so
    const audit = await api<{ items: Array<{ user: string; action: string; target: string; detail: string | null }> }>('/api/v1/admin/audit?limit=50');
    const mine = audit.items.filter((a) => a.target === `incident:${id}`).map((a) => [a.user, a.action, a.detail?.split(':')[0]]);
    expect(mine).toEqual([
      ['Minh (signed link)', 'incident.outcome', `via signed link, incident ${id}`],
      ['Minh (signed link)', 'runbook.step_done', `via signed link, incident ${id}`],
      ['Minh (signed link)', 'runbook.step_done', `via signed link, incident ${id}`],
      ['Minh (signed link)', 'incident.acknowledge', `via signed link, incident ${id}`],
    ]);

    // the coverage report's incident list (web page, real InfluxDB behind it)
    await admin.goto(`${svc.url}/coverage?group_by=site`);
    const row = (await admin.textContent(`#incident-${id}`))!;
    expect(row).toContain('Nhà văn hóa thôn Lao Chải');
    expect(row).toContain('Mất điện lưới: aptomat nhà văn hóa bị nhảy');
    expect(row).toContain('Minh (qua liên kết trong cảnh báo)');
    // and the signed link still opens nothing but its incident
    const other = await fetch(notice.runbook_url.replace(`/s/${id}.`, `/s/${id + 1}.`));
    expect(other.status).toBe(404);
    await admin.close();
    await page.close();
  }, 60_000);
});
