/**
 * Scheduled reports on a simulated clock across restarts, against real components: a real SMTP
 * server (smtp-server) receiving the mail, a real influxd behind the coverage report, local HTTP
 * receivers playing the Telegram Bot API and Zalo ZNS, and the SQLite file reopened by each new
 * runner instance (a restart). Nothing is sent twice; a missed period is caught up once; each
 * recipient gets its own language; the monthly mail carries the HTML (with the map and the
 * SMS/Zalo spending) and the CSV.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsWithDefaults, siteWithDefaults } from '../../../src/config/defaults.js';
import type { Inventory, Settings } from '../../../src/config/schema.js';
import { ManualClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { openDatabase, type Db } from '../../../src/store/sqlite.js';
import { createInflux } from '../../../src/store/client.js';
import { ensureSchema } from '../../../src/store/retention.js';
import { runCoverageReport } from '../../../src/reports/run.js';
import { createReportRunner, type ReportRunner } from '../../../src/reports/scheduled/runner.js';
import { BudgetStore, budgetGate } from '../../../src/alerting/budget.js';
import type { Notice } from '../../../src/alerting/notice.js';
import type { LiveState } from '../../../src/api/deps.js';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import { startSmtp, type SmtpReceiver } from '../../helpers/smtp.js';
import { startRecorder, type Recorder } from '../notifiers/http-recorder.js';

const vn = (y: number, m: number, d: number, h = 0, mi = 0) => Date.UTC(y, m - 1, d, h - 7, mi);
const P = 'Tỉnh Thử';

interface Mail { to: string[]; raw: string; subject: string; report: string; text: string }

/** RFC 2047 encoded words (=?UTF-8?B|Q?...?=) → text. */
function decodeWords(s: string): string {
  return s.replace(/\r?\n[ \t]+/g, ' ').replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=\s*(?==\?UTF-8)?/gi, (_m, enc: string, data: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
}
function header(raw: string, name: string): string {
  const m = new RegExp(`^${name}: (.*(?:\\r?\\n[ \\t].*)*)`, 'mi').exec(raw);
  return m ? decodeWords(m[1]!) : '';
}
/** Every base64 / quoted-printable part, decoded and joined (enough to search the text and attachments). */
function bodies(raw: string): string {
  const out: string[] = [];
  for (const part of raw.split(/\r?\n--[^\r\n]+/)) {
    const [head, ...rest] = part.split(/\r?\n\r?\n/);
    const body = rest.join('\n\n');
    if (/content-transfer-encoding: base64/i.test(head ?? '')) out.push(Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8'));
    else if (/content-transfer-encoding: quoted-printable/i.test(head ?? '')) out.push(Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
    else out.push(body);
  }
  return out.join('\n');
}

function inventory(): Inventory {
  const site = (id: string, commune: string, lat: number, lon: number) => siteWithDefaults({ id, name: `Điểm ${id}`, kind: 'cultural_house', province: P, group: 'Huyện A', commune, host: '192.0.2.7', snmp: false, lat, lon });
  return {
    sites: [site('a1', 'Xã An', 22.5, 103.9), site('a2', 'Xã An', 22.51, 103.91), site('b1', 'Xã Bình', 22.3, 104.1)],
    areas: [
      { level: 'commune', name: 'Xã An', contacts: [{ name: 'Chị Lan', email: 'lan@an.example.org', lang: 'vi' }, { name: 'Tom', email: 'tom@an.example.org', telegram_chat_id: '4242', lang: 'en' }] },
      { level: 'commune', name: 'Xã Bình', contacts: [{ name: 'Anh Bình', email: 'binh@binh.example.org' }] },
      { level: 'province', name: P, contacts: [{ name: 'Sở TTTT', email: 'so@tinh.example.org', telegram_chat_id: '777', phone: '0912000345', lang: 'vi' }] },
    ],
  };
}

describe('scheduled reports on a simulated clock, across restarts', () => {
  let influxd: Influxd;
  let smtp: SmtpReceiver;
  let tg: Recorder;
  let zalo: Recorder;
  let dir: string;
  let settings: Settings;
  /** The mails received, read for what the assertions look at. */
  const inbox = (): Mail[] => smtp.mails.map(({ to, raw }) => ({ to, raw, subject: header(raw, 'Subject'), report: header(raw, 'X-Pointwatch-Report'), text: bodies(raw) }));
  const clock = new ManualClock(vn(2026, 11, 30, 6, 0)); // Monday 06:00 in Vietnam
  const inv = inventory();
  const states = new Map<string, LiveState>([
    ['a1', { state: 'DOWN', since: vn(2026, 11, 29, 18, 0), detail: 'no reply' }],
    ['a2', { state: 'UP', since: vn(2026, 11, 1), detail: '' }],
    ['b1', { state: 'UP', since: vn(2026, 11, 1), detail: '' }],
  ]);

  function runner(db: Db): ReportRunner {
    const influx = createInflux(settings.influx);
    return createReportRunner({
      settings, inventory: () => inv, states: () => states, db, clock, logger: silentLogger(),
      coverage: (p) => runCoverageReport({ from: p.from, to: p.to, province: p.province }, { settings, inventory: inv, influx, clock }),
    });
  }
  /** A restart: a new runner on a newly opened connection to the same SQLite file. */
  async function lifetime<T>(fn: (r: ReportRunner) => Promise<T>): Promise<T> {
    const db = openDatabase(path.join(dir, 'pointwatch.sqlite'));
    const r = runner(db);
    try { return await fn(r); } finally { await r.stop(); db.close(); }
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-scheduled-'));
    influxd = await startInfluxd();
    smtp = await startSmtp();
    tg = await startRecorder(() => ({ status: 200, json: { ok: true, result: { message_id: 1 } } }));
    zalo = await startRecorder(() => ({ status: 200, json: { error: 0, message: 'Success', data: { msg_id: 'z1' } } }));
    settings = settingsWithDefaults({
      data_dir: dir,
      influx: { url: influxd.url, database: 'pbsched' },
      notifiers: [
        { type: 'email', name: 'mail', host: '127.0.0.1', port: smtp.port, from: 'pointwatch <reports@pw.example.org>' },
        { type: 'telegram', name: 'tg', api_base: tg.url, bot_token: '123:TOKEN-secret' },
        { type: 'zalo', name: 'zalo', api_base: zalo.url, oauth_base: zalo.url, app_id: '1', app_secret: 'zalo-app-secret', access_token: 'zalo-access-secret', template_id: 'T1' },
      ],
      scheduled_reports: { enabled: true },
      budget: { sms_zalo_per_commune_month: 2 },
      api: { public_url: 'https://pw.example.org' },
    });
    await ensureSchema(createInflux(settings.influx), settings.influx, silentLogger());
    // the SMS budget of Xã An is spent: one more alert is folded and must arrive in the digest
    const db = openDatabase(path.join(dir, 'pointwatch.sqlite'));
    const store = new BudgetStore(db);
    const gate = budgetGate(store, { budget: 2, tz: settings.reports.timezone, clock });
    const area = { province: P, group: 'Huyện A', commune: 'Xã An' };
    const notice = (id: string): Notice => ({ id, kind: 'site-down', event: 'firing', incident_id: 1, site: { id: 'a1', name: 'Điểm a1', kind: 'cultural_house', ...area }, area, state: 'DOWN', since: vn(2026, 11, 29, 18), detail: 'x', affected: [], runbook_url: '', ack_url: '', level: 'commune', recipients: [], lang: 'vi' });
    gate.delivered(notice('n1'), [{ ok: true, channel: 'sms', recipient: '84912000001' }, { ok: true, channel: 'sms', recipient: '84912000002' }]);
    expect(gate.allow(notice('n2'), { name: 'sms', type: 'sms' }, [{ phone: '0912000001' }])).toBe(false);
    db.close();
  }, 60_000);

  afterAll(async () => {
    await smtp?.close();
    await tg?.close();
    await zalo?.close();
    await influxd?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const keys = () => inbox().map((m) => m.report);

  it('first start at 06:00 sends nothing (nothing was due since it started)', async () => {
    const sent = await lifetime((r) => r.runDue());
    expect(sent).toEqual([]);
    expect(inbox()).toHaveLength(0);
  });

  it('at 07:00 Monday: the still-down list and the digest to Xã An, the weekly summary to both communes, each once, in each recipient\'s language', async () => {
    clock.set(vn(2026, 11, 30, 7, 0, ) + 30_000);
    const sent = await lifetime(async (r) => { const a = await r.runDue(); const b = await r.runDue(); expect(b).toEqual([]); return a; });
    expect(sent.every((p) => p.sent)).toBe(true);
    const byReport = (rep: string) => inbox().filter((m) => m.report.startsWith(`${rep}|`));
    const still = byReport('still_down');
    expect(still.map((m) => m.to[0]).sort()).toEqual(['lan@an.example.org', 'tom@an.example.org']); // Xã Bình has nothing down: no list
    expect(still.find((m) => m.to[0] === 'lan@an.example.org')!.subject).toBe('Các điểm Wi-Fi vẫn mất kết nối tại Xã An (30/11/2026)');
    expect(still.find((m) => m.to[0] === 'tom@an.example.org')!.subject).toBe('Wi-Fi points still down in Xã An (30/11/2026)');
    expect(still.find((m) => m.to[0] === 'lan@an.example.org')!.text).toMatch(/Điểm a1: Mất kết nối, từ 29\/11\/2026 18:00 \(13 giờ\)/);
    expect(byReport('digest').map((m) => m.to[0]).sort()).toEqual(['lan@an.example.org', 'tom@an.example.org']);
    expect(byReport('digest')[0]!.text).toContain('Điểm a1');
    const weekly = byReport('weekly');
    expect(weekly.map((m) => m.to[0]).sort()).toEqual(['binh@binh.example.org', 'lan@an.example.org', 'tom@an.example.org']);
    expect(weekly.find((m) => m.to[0] === 'binh@binh.example.org')!.subject).toBe('Tổng kết tuần các điểm Wi-Fi của Xã Bình (23/11/2026 – 29/11/2026)');
    // Telegram: Tom's still-down list, digest and weekly, in English
    const tgTexts = tg.requests.map((q) => (q.json as { chat_id: string; text: string }));
    expect(tgTexts.filter((x) => x.chat_id === '4242')).toHaveLength(3);
    expect(tgTexts.some((x) => x.text.includes('Wi-Fi points still down in Xã An'))).toBe(true);
    expect(tg.requests.every((q) => q.path === '/bot123:TOKEN-secret/sendMessage')).toBe(true);
    expect(new Set(keys()).size).toBe(inbox().length);
  });

  it('a restart a few minutes later sends nothing again', async () => {
    const before = inbox().length, tgBefore = tg.requests.length;
    clock.set(vn(2026, 11, 30, 7, 5));
    const sent = await lifetime((r) => r.runDue());
    expect(sent).toEqual([]);
    expect(inbox().length).toBe(before);
    expect(tg.requests.length).toBe(tgBefore);
  });

  it('stopped over Dec 1 (daily + monthly missed): on restart Dec 2 09:00, the latest daily list and November\'s coverage, once; the Dec 1 list is not sent stale', async () => {
    const before = inbox().length;
    clock.set(vn(2026, 12, 2, 9, 0));
    await lifetime(async (r) => {
      r.start(); // node-cron jobs + the catch-up at start
      await r.runDue(); // joins the catch-up in flight (or finds nothing left)
    });
    const fresh = inbox().slice(before);
    const reports = fresh.map((m) => m.report.split('|').slice(0, 2).join('|')).sort();
    expect(reports.filter((k) => k.startsWith('still_down'))).toEqual(['still_down|2026-12-02', 'still_down|2026-12-02']);
    expect(reports.filter((k) => k.startsWith('monthly'))).toEqual(['monthly|2026-11']);
    expect(reports.filter((k) => k.startsWith('digest'))).toEqual([]); // the digest went out on Nov 30: its notices are handed over
    const monthly = fresh.find((m) => m.report.startsWith('monthly|'))!;
    expect(monthly.to).toEqual(['so@tinh.example.org']);
    expect(monthly.subject).toBe('Báo cáo độ phủ Tỉnh Thử, 11/2026');
    expect(monthly.raw).toMatch(/filename=coverage-tinh-thu-2026-11\.html/);
    expect(monthly.raw).toMatch(/filename=coverage-tinh-thu-2026-11\.csv/);
    expect(monthly.text).toContain('<svg class="map"');
    expect(monthly.text).toContain('<html lang="vi">'); // the attachment in the recipient's language
    expect(monthly.text).not.toContain('Sites needing action');
    expect(monthly.text).toMatch(/href="https:\/\/pw\.example\.org\/coverage\?[^"]*commune=X%C3%A3\+An/); // the map links to the commune
    expect(monthly.text).toContain('Tin SMS/Zalo đã gửi trong tháng'); // the spending, in Vietnamese
    expect(monthly.text).toMatch(/Xã An: 2\/2/);
    // the link by Telegram and Zalo (ZNS template) to the province contact
    const tgMonthly = tg.requests.map((q) => q.json as { chat_id: string; text: string }).filter((x) => x.chat_id === '777');
    expect(tgMonthly).toHaveLength(1);
    expect(tgMonthly[0]!.text).toContain('https://pw.example.org/coverage?from=2026-11-01&amp;to=2026-11-30');
    expect(zalo.requests).toHaveLength(1);
    const z = zalo.requests[0]!.json as { phone: string; template_id: string; template_data: Record<string, string> };
    expect(z.phone).toBe('84912000345');
    expect(z.template_data.link).toContain('/coverage?from=2026-11-01');
    expect(zalo.requests[0]!.headers.access_token).toBe('zalo-access-secret');
  });

  it('and one more restart the same day sends nothing; a dry run lists them all as already sent', async () => {
    const before = inbox().length;
    clock.set(vn(2026, 12, 2, 9, 30));
    const planned = await lifetime(async (r) => {
      expect(await r.runDue()).toEqual([]);
      return r.plan();
    });
    expect(inbox().length).toBe(before);
    expect(planned.length).toBeGreaterThan(0);
    expect(planned.every((p) => p.sent)).toBe(true);
    expect(new Set(keys()).size).toBe(inbox().length);
    console.log(`scheduled reports: ${inbox().length} mails, ${tg.requests.length} Telegram, ${zalo.requests.length} Zalo over 4 runner lifetimes; 0 duplicates`);
  });
});
