/**
 * The monthly report by Zalo (ZNS) when the OA access token has expired: the scheduled send goes
 * through the Zalo notifier's own path (the one alert notices use), so it refreshes the token at
 * the OAuth endpoint, sends again, and keeps the new pair in the operational SQLite file, where
 * the next send (a report after a restart, or an alert notice) finds it.
 *
 * Real components: local HTTP servers playing ZNS (`POST /message/template`, header access_token;
 * -124 for an invalid token) and Zalo OAuth (`POST /v4/oa/access_token`, single-use refresh
 * tokens), a real influxd behind the coverage report, the SQLite file reopened for each runner.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsWithDefaults, siteWithDefaults } from '../../../src/config/defaults.js';
import type { Inventory, Settings } from '../../../src/config/schema.js';
import { ManualClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { openDatabase } from '../../../src/store/sqlite.js';
import { createInflux } from '../../../src/store/client.js';
import { ensureSchema } from '../../../src/store/retention.js';
import { runCoverageReport } from '../../../src/reports/run.js';
import { createReportRunner } from '../../../src/reports/scheduled/runner.js';
import { sqliteTokenStore } from '../../../src/alerting/notifiers/token-store.js';
import { createZalo, type ZaloConfig } from '../../../src/alerting/notifiers/zalo.js';
import { firingDown } from '../../../src/alerting/notifiers/testdata/notices.js';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import { startRecorder, type Recorder, type Responder } from '../notifiers/http-recorder.js';

const vn = (y: number, m: number, d: number, h = 0, mi = 0) => Date.UTC(y, m - 1, d, h - 7, mi);
const P = 'Tỉnh Thử';
const APP_SECRET = 'zalo-app-secret-sched';
const EXPIRED = 'zalo-access-expired-111';
const FRESH = 'zalo-access-fresh-222';
const REFRESH_1 = 'zalo-refresh-one';
const REFRESH_2 = 'zalo-refresh-two';

/** ZNS: only the fresh token is valid (the configured one has expired). */
const zns: Responder = (req) => {
  if (req.method !== 'POST' || req.path !== '/message/template') return { status: 404, json: { error: -106, message: 'Method unsupported' } };
  if (req.headers['access_token'] !== FRESH) return { status: 200, json: { error: -124, message: 'Access token is invalid' } };
  const b = req.json as { phone?: unknown; template_id?: unknown; template_data?: unknown; tracking_id?: unknown } | undefined;
  if (typeof b?.phone !== 'string' || !/^84\d{9,10}$/.test(b.phone)) return { status: 200, json: { error: -108, message: 'Phone number invalid' } };
  if (b.template_id !== 'tpl-monthly' || typeof b.tracking_id !== 'string' || !b.template_data || typeof b.template_data !== 'object') {
    return { status: 200, json: { error: -201, message: 'Invalid parameter' } };
  }
  return { status: 200, json: { error: 0, message: 'Success', data: { msg_id: `msg-${b.phone}` } } };
};

/** OAuth: a refresh token works once (Zalo's are single-use). */
function oauth(): Responder {
  const spent = new Set<string>();
  return (req) => {
    if (req.method !== 'POST' || req.path !== '/v4/oa/access_token') return { status: 404, json: { error: 404 } };
    if (req.headers['secret_key'] !== APP_SECRET) return { status: 200, json: { error: -14003, error_name: 'Invalid secret key' } };
    const f = new URLSearchParams(req.text);
    const rt = f.get('refresh_token') ?? '';
    if (f.get('grant_type') !== 'refresh_token' || f.get('app_id') !== '3142005' || rt !== REFRESH_1 || spent.has(rt)) {
      return { status: 200, json: { error: -14020, error_name: 'Invalid refresh token', error_description: 'refresh token is invalid or expired' } };
    }
    spent.add(rt);
    return { status: 200, json: { access_token: FRESH, refresh_token: REFRESH_2, expires_in: '90000' } };
  };
}

describe('scheduled Zalo sends refresh an expired OA token (local ZNS + OAuth servers)', () => {
  let influxd: Influxd;
  let api: Recorder;
  let auth: Recorder;
  let dir: string;
  let settings: Settings;
  const clock = new ManualClock(vn(2026, 11, 30, 9, 0));
  const site = siteWithDefaults({ id: 's1', name: 'Điểm s1', kind: 'cultural_house', province: P, commune: 'Xã An', host: '192.0.2.7', snmp: false });
  const inv: Inventory = {
    sites: [site],
    areas: [{ level: 'province', name: P, contacts: [{ name: 'Sở TTTT', phone: '0912000345', lang: 'vi' }] }],
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-sched-zalo-'));
    influxd = await startInfluxd();
    [api, auth] = await Promise.all([startRecorder(zns), startRecorder(oauth())]);
    settings = settingsWithDefaults({
      data_dir: dir,
      influx: { url: influxd.url, database: 'pwschedzalo' },
      notifiers: [{
        type: 'zalo', name: 'zalo', api_base: api.url, oauth_base: auth.url, app_id: '3142005', app_secret: APP_SECRET,
        access_token: EXPIRED, refresh_token: REFRESH_1, template_id: 'tpl-monthly', timeout_ms: 2000, attempts: 1,
      }],
      scheduled_reports: { enabled: true },
      api: { public_url: 'https://pw.example.org' },
    });
    await ensureSchema(createInflux(settings.influx), settings.influx, silentLogger());
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await auth?.close();
    await influxd?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function lifetime<T>(fn: (r: ReturnType<typeof createReportRunner>) => Promise<T>): Promise<T> {
    const db = openDatabase(path.join(dir, 'pointwatch.sqlite'));
    const influx = createInflux(settings.influx);
    const r = createReportRunner({
      settings, inventory: () => inv, states: () => new Map(), db, clock, logger: silentLogger(),
      coverage: (p) => runCoverageReport({ from: p.from, to: p.to, province: p.province }, { settings, inventory: inv, influx, clock }),
    });
    try { return await fn(r); } finally { await r.stop(); db.close(); }
  }

  it('the monthly report: expired token → one refresh → sent; the new pair is kept in SQLite', async () => {
    expect(await lifetime((r) => r.runDue())).toEqual([]); // first start on Nov 30: nothing due yet
    clock.set(vn(2026, 12, 1, 8, 0) + 30_000);
    const sent = await lifetime((r) => r.runDue());
    expect(sent.map((p) => [p.report, p.channel, p.to, p.sent])).toEqual([['monthly', 'zalo', '84912000345', true]]);
    expect(api.requests.map((q) => q.headers['access_token'])).toEqual([EXPIRED, FRESH]);
    expect(auth.requests).toHaveLength(1);
    expect(auth.requests[0]!.headers['secret_key']).toBe(APP_SECRET);
    expect(Object.fromEntries(new URLSearchParams(auth.requests[0]!.text))).toEqual({ refresh_token: REFRESH_1, app_id: '3142005', grant_type: 'refresh_token' });
    const body = api.requests[1]!.json as { phone: string; template_data: Record<string, string>; tracking_id: string };
    expect(body.phone).toBe('84912000345');
    expect(body.tracking_id).toBe(`monthly|2026-11|${P}|zalo:84912000345`);
    expect(body.template_data.link).toContain('https://pw.example.org/coverage?from=2026-11-01');

    // persisted: a new connection to the file (a restart) reads the refreshed pair
    const db = openDatabase(path.join(dir, 'pointwatch.sqlite'));
    try {
      expect(sqliteTokenStore(db).get('zalo')).toMatchObject({ access_token: FRESH, refresh_token: REFRESH_2, expires_at: clock.now() + 90_000_000 });
      const status = db.prepare('SELECT status, error FROM report_sends').all();
      expect(status).toEqual([{ status: 'sent', error: null }]);
    } finally {
      db.close();
    }
  });

  it('the alert notifier on the same file uses the token the report refreshed (one store, no second refresh)', async () => {
    api.requests.length = 0;
    const db = openDatabase(path.join(dir, 'pointwatch.sqlite'));
    try {
      const z = createZalo(settings.notifiers[0] as ZaloConfig, { clock, tokenStore: sqliteTokenStore(db) });
      const [r] = await z.send(firingDown, [firingDown.recipients[0]!]);
      expect(r).toMatchObject({ ok: true });
      expect(api.requests.map((q) => q.headers['access_token'])).toEqual([FRESH]);
      expect(auth.requests).toHaveLength(1); // REFRESH_1 was spent once, by the report
    } finally {
      db.close();
    }
  });

  it('another sender on the same file spent the refresh token first: the refused refresh uses its pair', async () => {
    api.requests.length = 0;
    auth.requests.length = 0;
    const db = openDatabase(path.join(dir, 'other.sqlite'));
    const store = sqliteTokenStore(db);
    const config = { ...(settings.notifiers[0] as ZaloConfig), access_token: 'zalo-access-expired-333', refresh_token: 'zalo-refresh-three' };
    // the same fingerprint the notifier gives the configured pair (stored tokens are used only while it matches)
    const source = createHash('sha256').update(`${config.access_token}\n${config.refresh_token}`).digest('hex').slice(0, 16);
    // the OAuth server: while our refresh is on its way, the other sender's finishes (and is stored); ours is refused
    auth.respond(() => {
      store.set('zalo', { access_token: FRESH, refresh_token: 'zalo-refresh-four', source });
      return { status: 200, json: { error: -14020, error_name: 'Invalid refresh token', error_description: 'refresh token is invalid or expired' } };
    });
    try {
      const res = await createZalo(config, { clock, tokenStore: store }).sendTemplate('84912000345', { link: 'x' }, 't-1');
      expect(res).toMatchObject({ ok: true, recipient: '84912000345' });
      expect(api.requests.map((q) => q.headers['access_token'])).toEqual(['zalo-access-expired-333', FRESH]);
      expect(auth.requests).toHaveLength(1);
    } finally {
      auth.respond(oauth());
      db.close();
    }
  });
});
