/**
 * Zalo ZNS and the SMS gateway against local servers modelled on the providers' documented APIs:
 *  - ZNS: POST /message/template, header access_token, JSON { phone: "84…", template_id, template_data, tracking_id },
 *    answer { error: 0, message, data: { msg_id } }; -124 = invalid/expired access token.
 *  - OAuth: POST /v4/oa/access_token, header secret_key, form refresh_token/app_id/grant_type=refresh_token,
 *    answer { access_token, refresh_token, expires_in }.
 *  - SMS: a generic JSON gateway (configurable method, URL template, auth header, body template).
 * Zalo failing for a contact hands that contact to the SMS fallback (through the dispatcher).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { silentLogger } from '../../../src/core/logger.js';
import { createDispatcher } from '../../../src/alerting/notifiers/dispatcher.js';
import { createSms, type SmsConfig } from '../../../src/alerting/notifiers/sms.js';
import { createZalo, memoryTokenStore, type ZaloConfig } from '../../../src/alerting/notifiers/zalo.js';
import { sqliteTokenStore } from '../../../src/alerting/notifiers/token-store.js';
import { openDatabase } from '../../../src/store/sqlite.js';
import type { DeliveryResult } from '../../../src/alerting/notifiers/types.js';
import type { Notice } from '../../../src/alerting/notice.js';
import { firingDown, resolvedPower } from '../../../src/alerting/notifiers/testdata/notices.js';
import { recordingClock, startRecorder, type Recorder, type Responder } from './http-recorder.js';

const APP_SECRET = 'zalo-app-secret-0a1b2c';
const OLD_TOKEN = 'zalo-access-old-111';
const NEW_TOKEN = 'zalo-access-new-222';
const REFRESH_1 = 'zalo-refresh-aaa';
const REFRESH_2 = 'zalo-refresh-bbb';
const SMS_KEY = 'Bearer sms-key-999';

/** Phones that "have no Zalo" in this fake: ZNS answers -118 (Zalo account not existed). */
const NO_ZALO = new Set(['84987654321']);

const zns: Responder = (req) => {
  if (req.method !== 'POST' || req.path !== '/message/template') return { status: 404, json: { error: -106, message: 'Method unsupported' } };
  if (!String(req.headers['content-type']).startsWith('application/json')) return { status: 200, json: { error: -201, message: 'Invalid parameter' } };
  const token = req.headers['access_token'];
  if (token !== NEW_TOKEN) return { status: 200, json: { error: -124, message: 'Access token is invalid' } };
  const b = req.json as { phone?: unknown; template_id?: unknown; template_data?: unknown; tracking_id?: unknown } | undefined;
  if (typeof b?.phone !== 'string' || !/^84\d{9,10}$/.test(b.phone)) return { status: 200, json: { error: -108, message: 'Phone number invalid' } };
  if (b.template_id !== 'tpl-251234') return { status: 200, json: { error: -109, message: 'Template ID invalid' } };
  if (!b.template_data || typeof b.template_data !== 'object' || Object.values(b.template_data).some((v) => typeof v !== 'string' || !v)) {
    return { status: 200, json: { error: -112, message: 'Template data invalid' } };
  }
  if (typeof b.tracking_id !== 'string') return { status: 200, json: { error: -201, message: 'Invalid parameter' } };
  if (NO_ZALO.has(b.phone)) return { status: 200, json: { error: -118, message: 'Zalo account not existed' } };
  return { status: 200, json: { error: 0, message: 'Success', data: { msg_id: `msg-${b.phone}`, sent_time: '1763776920000', quota: { dailyQuota: '500', remainingQuota: '499' } } } };
};

const oauth: Responder = (req) => {
  if (req.method !== 'POST' || req.path !== '/v4/oa/access_token') return { status: 404, json: { error: 404 } };
  if (req.headers['secret_key'] !== APP_SECRET) return { status: 200, json: { error: -14003, error_name: 'Invalid secret key', error_description: 'secret_key is invalid' } };
  if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return { status: 200, json: { error: -14001, error_name: 'Invalid parameter' } };
  const f = new URLSearchParams(req.text);
  if (f.get('grant_type') !== 'refresh_token' || f.get('app_id') !== '3142005' || f.get('refresh_token') !== REFRESH_1) {
    return { status: 200, json: { error: -14020, error_name: 'Invalid refresh token', error_description: 'refresh token is invalid or expired' } };
  }
  return { status: 200, json: { access_token: NEW_TOKEN, refresh_token: REFRESH_2, expires_in: '90000' } };
};

const gateway: Responder = (req, n) => {
  if (req.headers.authorization !== SMS_KEY) return { status: 401, json: { error: 'unauthorized' } };
  return { status: 200, json: { id: `sms-${n}`, status: 'queued' } };
};

describe('Zalo ZNS + SMS fallback (local servers)', () => {
  let api: Recorder;
  let auth: Recorder;
  let sms: Recorder;
  beforeAll(async () => {
    [api, auth, sms] = await Promise.all([startRecorder(zns), startRecorder(oauth), startRecorder(gateway)]);
  });
  afterAll(async () => { await Promise.all([api.close(), auth.close(), sms.close()]); });
  const reset = () => { for (const r of [api, auth, sms]) r.requests.length = 0; api.respond(zns); auth.respond(oauth); sms.respond(gateway); };

  function zaloConfig(extra: Record<string, unknown> = {}): ZaloConfig {
    return settingsWithDefaults({ notifiers: [{
      type: 'zalo', name: 'zalo', api_base: api.url, oauth_base: auth.url, app_id: '3142005', app_secret: APP_SECRET,
      access_token: OLD_TOKEN, refresh_token: REFRESH_1, template_id: 'tpl-251234', fallback: 'sms', timeout_ms: 2000,
      template_params: { site: 'ten_diem', commune: 'xa', state: 'trang_thai', since: 'thoi_gian', link: 'link' }, ...extra,
    }] }).notifiers[0] as ZaloConfig;
  }
  function smsConfig(extra: Record<string, unknown> = {}): SmsConfig {
    return settingsWithDefaults({ notifiers: [{
      type: 'sms', name: 'sms', method: 'POST', url: `${sms.url}/v1/messages`, auth_value: SMS_KEY, timeout_ms: 2000, ...extra,
    }] }).notifiers[0] as SmsConfig;
  }

  it('expired token: refreshes once at the OAuth endpoint, retries, delivers; the next send uses the new token', async () => {
    reset();
    const store = memoryTokenStore();
    const z = createZalo(zaloConfig(), { clock: recordingClock(), tokenStore: store });
    const [r] = await z.send(firingDown, [firingDown.recipients[0]!]);
    expect(r).toMatchObject({ channel: 'zalo', recipient: '84912345678', ok: true, provider_id: 'msg-84912345678' });
    expect(api.requests.map((q) => q.headers['access_token'])).toEqual([OLD_TOKEN, NEW_TOKEN]);
    expect(auth.requests).toHaveLength(1);
    const refresh = auth.requests[0]!;
    expect(refresh.headers['secret_key']).toBe(APP_SECRET);
    expect(Object.fromEntries(new URLSearchParams(refresh.text))).toEqual({ refresh_token: REFRESH_1, app_id: '3142005', grant_type: 'refresh_token' });
    expect(store.get('zalo')).toMatchObject({ access_token: NEW_TOKEN, refresh_token: REFRESH_2 });

    const body = api.requests[1]!.json;
    expect(body).toEqual({
      phone: '84912345678',
      template_id: 'tpl-251234',
      template_data: { ten_diem: 'Nhà văn hoá thôn Bản Lác', xa: 'xã Chiềng Châu', trang_thai: 'Mất kết nối', thoi_gian: '07:42 ngày 22/11/2026', link: firingDown.ack_url },
      tracking_id: firingDown.id,
    });

    api.requests.length = 0;
    await z.send(resolvedPower, [resolvedPower.recipients[0]!]);
    expect(api.requests.map((q) => q.headers['access_token'])).toEqual([NEW_TOKEN]);
    expect(auth.requests).toHaveLength(1);
  });

  it('a restart reuses the refreshed tokens from SQLite; new tokens in the config win over stored ones', async () => {
    reset();
    const db = openDatabase(':memory:');
    const store = sqliteTokenStore(db);
    await createZalo(zaloConfig(), { clock: recordingClock(), tokenStore: store }).send(firingDown, [firingDown.recipients[0]!]);
    expect(auth.requests).toHaveLength(1);
    api.requests.length = 0;
    // "Restart": a new notifier from the same config and the same database.
    await createZalo(zaloConfig(), { clock: recordingClock(), tokenStore: store }).send(firingDown, [firingDown.recipients[0]!]);
    expect(api.requests.map((q) => q.headers['access_token'])).toEqual([NEW_TOKEN]);
    expect(auth.requests).toHaveLength(1);
    // The operator puts a freshly authorised pair in the config: it is used, the stored one is not.
    api.requests.length = 0;
    await createZalo(zaloConfig({ access_token: 'zalo-access-operator-333' }), { clock: recordingClock(), tokenStore: store }).send(firingDown, [firingDown.recipients[0]!]);
    expect(api.requests[0]!.headers['access_token']).toBe('zalo-access-operator-333');
    db.close();
  });

  it('concurrent sends with an expired token share ONE refresh', async () => {
    reset();
    const z = createZalo(zaloConfig(), { clock: recordingClock() });
    const both = [firingDown.recipients[0]!, { name: 'Khác', phone: '0913 000 111', level: 'commune' as const }];
    const results = await z.send(firingDown, both);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(auth.requests).toHaveLength(1);
  });

  it('refresh refused: failure with the reason, no secret in it', async () => {
    reset();
    const z = createZalo(zaloConfig({ refresh_token: 'zalo-refresh-stale' }), { clock: recordingClock() });
    const [r] = await z.send(firingDown, [firingDown.recipients[0]!]);
    expect(r!.ok).toBe(false);
    expect(r!.retryable).toBe(false);
    expect(r!.error).toContain('Zalo error -124');
    expect(r!.error).toContain('Invalid refresh token');
    for (const s of [APP_SECRET, OLD_TOKEN, 'zalo-refresh-stale']) expect(JSON.stringify(r)).not.toContain(s);
  });

  it('an invalid phone is a recorded failure, not a silent drop', async () => {
    reset();
    const z = createZalo(zaloConfig({ access_token: NEW_TOKEN }), { clock: recordingClock() });
    const [r] = await z.send(firingDown, [{ name: 'X', phone: '+33 6 12 34 56 78', level: 'commune' }]);
    expect(r).toMatchObject({ ok: false, retryable: false, error: 'not a Vietnamese phone number' });
    expect(api.requests).toHaveLength(0);
  });

  it('SMS gateway: POST with the auth header and the default JSON body', async () => {
    reset();
    const s = createSms(smsConfig(), { clock: recordingClock() });
    const [r] = await s.send(firingDown, [firingDown.recipients[0]!]);
    expect(r).toMatchObject({ channel: 'sms', recipient: '84912345678', ok: true, provider_id: 'sms-1' });
    const q = sms.requests[0]!;
    expect(q.method).toBe('POST');
    expect(q.path).toBe('/v1/messages');
    expect(q.headers.authorization).toBe(SMS_KEY);
    const body = q.json as { to: string; text: string; ref: string };
    expect(body.to).toBe('84912345678');
    expect(body.ref).toBe(firingDown.id);
    expect(body.text).toContain('CẢNH BÁO: Điểm Wi-Fi mất kết nối tại Nhà văn hoá thôn Bản Lác (xã Chiềng Châu) từ 07:42 22/11.');
    expect(body.text).toContain(firingDown.ack_url);
  });

  it('SMS gateway: GET with a URL template, national numbers, diacritics stripped (GSM-7)', async () => {
    reset();
    const s = createSms(smsConfig({ method: 'GET', url: `${sms.url}/send?to={phone}&msg={text}&unicode={unicode}`, phone_format: 'national', encoding: 'gsm7' }), { clock: recordingClock() });
    const [r] = await s.send(firingDown, [firingDown.recipients[0]!]);
    expect(r!.ok).toBe(true);
    const u = new URL(sms.requests[0]!.path, sms.url);
    expect(u.pathname).toBe('/send');
    expect(u.searchParams.get('to')).toBe('0912345678');
    expect(u.searchParams.get('unicode')).toBe('false');
    expect(u.searchParams.get('msg')).toMatch(/^CANH BAO: Diem Wi-Fi mat ket noi tai NVH thon Ban Lac \(xa Chieng Chau\) tu 07:42 22\/11\./);
    expect(sms.requests[0]!.raw.length).toBe(0);
  });

  it('SMS gateway: split mode sends each UCS-2 part (≤ 67 chars) as its own request; a custom body escapes quotes', async () => {
    reset();
    const quoted: Notice = { ...firingDown, site: { ...firingDown.site!, name: 'Điểm "Bản Lác"' } };
    const s = createSms(smsConfig({ split: true, body_template: '{"msisdn":"{phone}","message":"{text}","unicode":{unicode}}' }), { clock: recordingClock() });
    const [r] = await s.send(quoted, [quoted.recipients[0]!]);
    expect(r!.ok).toBe(true);
    expect(sms.requests.length).toBeGreaterThan(1);
    const texts = sms.requests.map((q) => (q.json as { message: string; unicode: boolean }).message);
    for (const q of sms.requests) expect((q.json as { unicode: boolean }).unicode).toBe(true);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(67);
    expect(texts.join('')).toContain('Điểm "Bản Lác"');
    expect(r!.provider_id).toBe(sms.requests.map((_q, i) => `sms-${i + 1}`).join(','));
  });

  it('SMS gateway: 500 then 200 is retried and sent once; 401 is not retried', async () => {
    reset();
    sms.respond([{ status: 500, body: 'busy' }, { status: 200, json: { id: 'ok-1' } }]);
    const s = createSms(smsConfig(), { clock: recordingClock() });
    expect((await s.send(firingDown, [firingDown.recipients[0]!]))[0]).toMatchObject({ ok: true, attempts: 2, provider_id: 'ok-1' });
    reset();
    const bad = createSms(smsConfig({ auth_value: 'Bearer wrong-key-000' }), { clock: recordingClock() });
    const [r] = await bad.send(firingDown, [firingDown.recipients[0]!]);
    expect(r).toMatchObject({ ok: false, status: 401, retryable: false, attempts: 1 });
    expect(JSON.stringify(r)).not.toContain('wrong-key-000');
  });

  it('dispatcher: a contact Zalo cannot reach gets the SMS fallback; one Zalo can reach does not', async () => {
    reset();
    const recorded: DeliveryResult[] = [];
    const d = createDispatcher({
      notifiers: [createZalo(zaloConfig({ access_token: NEW_TOKEN }), { clock: recordingClock() }), createSms(smsConfig(), { clock: recordingClock() })],
      record: (_n, rs) => recorded.push(...rs),
      logger: silentLogger(),
      tickMs: 0,
    });
    await d.dispatch(firingDown); // Minh has Zalo; Anna's +84 987 654 321 has none (-118)
    await d.close();
    expect(recorded.map((r) => [r.channel, r.recipient, r.ok, r.fallback_for ?? null])).toEqual([
      ['zalo', '84912345678', true, null],
      ['zalo', '84987654321', false, null],
      ['sms', '84987654321', true, 'zalo'],
    ]);
    expect(recorded[1]!.error).toBe('Zalo error -118: Zalo account not existed');
    // SMS is only the fallback: nobody got a duplicate SMS.
    expect(sms.requests.map((q) => (q.json as { to: string }).to)).toEqual(['84987654321']);
    expect(d.pending()).toEqual([]);
  });

  it('dispatcher: Zalo down AND SMS down → both recorded, re-queued, delivered by SMS on the retry', async () => {
    reset();
    api.respond([{ status: 502, body: 'bad gateway' }]);
    sms.respond([{ status: 503, body: 'maintenance' }]);
    let now = Date.UTC(2026, 10, 22, 1, 0);
    const clock = { now: () => now, sleep: async () => {} };
    const recorded: DeliveryResult[] = [];
    const d = createDispatcher({
      notifiers: [createZalo(zaloConfig({ access_token: NEW_TOKEN, attempts: 1 }), { clock }), createSms(smsConfig({ attempts: 1 }), { clock })],
      record: (_n, rs) => recorded.push(...rs),
      logger: silentLogger(),
      clock,
      tickMs: 0,
      retryDelaysMs: [60_000],
    });
    await d.dispatch(resolvedPower);
    expect(recorded.filter((r) => r.ok)).toEqual([]);
    expect(d.pending().map((p) => [p.notifier, p.addresses.sort()])).toEqual([['zalo', ['84912345678', '84987654321']]]);
    expect(await d.runDue()).toBe(0); // not due yet
    sms.respond(gateway); // the SMS gateway is back; Zalo still down
    now += 60_000;
    expect(await d.runDue()).toBe(1);
    const smsOk = recorded.filter((r) => r.channel === 'sms' && r.ok).map((r) => r.recipient).sort();
    expect(smsOk).toEqual(['84912345678', '84987654321']);
    expect(d.pending()).toEqual([]);
    await d.close();
  });
});
