/**
 * Email notifier against a REAL SMTP server (smtp-server, auth required) started here on a free
 * port: what arrives is read back and checked (subject, text, HTML, runbook and ack links).
 */
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { createEmail, type EmailConfig } from '../../../src/alerting/notifiers/email.js';
import { firingWithCause, resolvedPower } from '../../../src/alerting/notifiers/testdata/notices.js';
import { freeTcpPort } from '../../helpers/ports.js';
import { recordingClock } from './http-recorder.js';
import { parseMail } from './mime.js';

const USER = 'pointwatch';
const PASS = 'smtp-pass-7c1e55';

interface Received { from: string; to: string[]; raw: string }

describe('email notifier (real SMTP server, auth on)', () => {
  let server: SMTPServer;
  let port: number;
  const inbox: Received[] = [];
  let failNext: Array<{ code: number; message: string }> = [];

  beforeAll(async () => {
    port = await freeTcpPort();
    server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      logger: false,
      onAuth(auth, _session, cb) {
        if (auth.username === USER && auth.password === PASS) cb(null, { user: USER });
        else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const f = failNext.shift();
          if (f) { cb(Object.assign(new Error(f.message), { responseCode: f.code })); return; }
          inbox.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          cb(null);
        });
      },
    });
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', () => resolve()); });
  });
  afterAll(async () => { await new Promise<void>((r) => server.close(() => r())); });

  function config(extra: Record<string, unknown> = {}): EmailConfig {
    return settingsWithDefaults({ notifiers: [{
      type: 'email', name: 'mail', host: '127.0.0.1', port, secure: false, user: USER, password: PASS,
      from: 'pointwatch <alerts@pw.example.org>', to: ['noc@pw.example.org'], timeout_ms: 3000, ...extra,
    }] }).notifiers[0] as EmailConfig;
  }

  it('delivers one message per address, each in its language, with both links', async () => {
    inbox.length = 0;
    const n = createEmail(config(), { clock: recordingClock() });
    const results = await n.send(firingWithCause, firingWithCause.recipients);
    await n.close?.();
    expect(results.map((r) => [r.recipient, r.ok, r.status])).toEqual([
      ['noc@pw.example.org', true, 250], ['minh@example.org', true, 250], ['anna@example.org', true, 250],
    ]);
    expect(results.every((r) => /^<.+@.+>$/.test(r.provider_id ?? ''))).toBe(true);
    expect(inbox.map((m) => m.to[0]).sort()).toEqual(['anna@example.org', 'minh@example.org', 'noc@pw.example.org']);

    const vi = parseMail(inbox.find((m) => m.to[0] === 'minh@example.org')!.raw);
    expect(vi.headers.subject).toBe('[CẢNH BÁO] Điểm Wi-Fi mất kết nối: Nhà văn hoá thôn Bản Lác, xã Chiềng Châu');
    expect(vi.headers['x-pointwatch-delivery']).toBe(firingWithCause.id);
    const viText = vi.parts.find((p) => p.headers['content-type']?.startsWith('text/plain'))!.body;
    const viHtml = vi.parts.find((p) => p.headers['content-type']?.startsWith('text/html'))!.body;
    expect(viText).toContain('Trạng thái: Mất kết nối');
    expect(viText).toContain('Từ lúc: 07:42 ngày 22/11/2026');
    expect(viText).toContain('Nguyên nhân (ước đoán): mất điện (thiết bị đã khởi động lại)');
    expect(viText).toContain(`Hướng dẫn xử lý: ${firingWithCause.runbook_url}`);
    expect(viText).toContain(`Xác nhận đã nhận: ${firingWithCause.ack_url}`);
    expect(viHtml).toContain(`<a href="${firingWithCause.runbook_url}">Hướng dẫn xử lý</a>`);

    const en = parseMail(inbox.find((m) => m.to[0] === 'anna@example.org')!.raw);
    expect(en.headers.subject).toBe('[ALERT] Wi-Fi point down: Nhà văn hoá thôn Bản Lác, Chiềng Châu commune');
    expect(en.parts[0]!.body).toContain(`Runbook: ${firingWithCause.runbook_url}`);
    expect(inbox.every((m) => !m.raw.includes(PASS))).toBe(true);
  });

  it('a resolved email says how long it lasted and the cause', async () => {
    inbox.length = 0;
    const n = createEmail(config({ to: [] }), { clock: recordingClock() });
    await n.send(resolvedPower, [resolvedPower.recipients[0]!]);
    await n.close?.();
    const m = parseMail(inbox[0]!.raw);
    expect(m.headers.subject).toBe('[ĐÃ KHÔI PHỤC] Điểm Wi-Fi mất kết nối: Nhà văn hoá thôn Bản Lác, xã Chiềng Châu (1 giờ 12 phút)');
    expect(m.parts[0]!.body).toContain('Kéo dài: 1 giờ 12 phút');
    expect(m.parts[0]!.body).toContain('Nguyên nhân (ước đoán): mất điện');
  });

  it('a wrong password fails at once (535), is not retried, and the password is not in the error', async () => {
    const n = createEmail(config({ password: 'wrong-password-123' }), { clock: recordingClock() });
    const [r] = await n.send(firingWithCause, []);
    await n.close?.();
    expect(r).toMatchObject({ ok: false, status: 535, retryable: false, attempts: 1 });
    expect(r!.error).toMatch(/EAUTH/);
    expect(r!.error).not.toContain('wrong-password-123');
  });

  it('SMTP 451 (temporary) is retried and delivered once', async () => {
    inbox.length = 0;
    failNext = [{ code: 451, message: 'Try again later' }];
    const clock = recordingClock();
    const n = createEmail(config(), { clock, backoffBaseMs: 250 });
    const [r] = await n.send(firingWithCause, []);
    await n.close?.();
    expect(r).toMatchObject({ ok: true, attempts: 2 });
    expect(clock.sleeps).toEqual([250]);
    expect(inbox).toHaveLength(1);
  });

  it('SMTP 550 (permanent) is recorded, not retried', async () => {
    failNext = [{ code: 550, message: 'Mailbox unavailable' }];
    const n = createEmail(config(), { clock: recordingClock() });
    const [r] = await n.send(firingWithCause, []);
    await n.close?.();
    expect(r).toMatchObject({ ok: false, status: 550, retryable: false, attempts: 1 });
  });

  it('server down: connection refused, retried, retryable', async () => {
    const dead = await freeTcpPort();
    const n = createEmail(config({ port: dead, attempts: 2 }), { clock: recordingClock() });
    const [r] = await n.send(firingWithCause, []);
    await n.close?.();
    expect(r).toMatchObject({ ok: false, retryable: true, attempts: 2 });
    expect(r!.error).toMatch(/ECONNREFUSED|ECONNECTION/);
  });
});
