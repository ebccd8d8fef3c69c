/**
 * The dispatcher with REAL channels: a real SMTP server and local HTTP receivers. One dead and one
 * slow channel never hold the others; a failed webhook is re-queued and delivered once it is back;
 * no secret reaches the logs.
 */
import { Writable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { createLogger } from '../../../src/core/logger.js';
import { createDispatcher } from '../../../src/alerting/notifiers/dispatcher.js';
import { createNotifiers, checkNotifiers } from '../../../src/alerting/notifiers/registry.js';
import type { DeliveryResult } from '../../../src/alerting/notifiers/types.js';
import { firingWithCause } from '../../../src/alerting/notifiers/testdata/notices.js';
import { freeTcpPort } from '../../helpers/ports.js';
import { startRecorder, type Recorder } from './http-recorder.js';

const SECRETS = { hook: 'hook-secret-5566', bot: '777:bot-token-secret', smtp: 'smtp-secret-8899', sms: 'Bearer sms-secret-4433' };

describe('dispatcher over real channels', () => {
  let hook: Recorder;
  let tg: Recorder;
  let smtp: SMTPServer;
  let smtpPort: number;
  const mails: string[] = [];

  beforeAll(async () => {
    [hook, tg] = await Promise.all([startRecorder(), startRecorder()]);
    tg.respond((_r, n) => ({ status: 200, json: { ok: true, result: { message_id: n } } }));
    smtpPort = await freeTcpPort();
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'], allowInsecureAuth: true, logger: false,
      onAuth: (a, _s, cb) => (a.password === SECRETS.smtp ? cb(null, { user: a.username }) : cb(new Error('bad auth'))),
      onData: (stream, s, cb) => { stream.on('data', () => undefined); stream.on('end', () => { mails.push(s.envelope.rcptTo[0]!.address); cb(null); }); },
    });
    await new Promise<void>((r) => smtp.listen(smtpPort, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    await Promise.all([hook.close(), tg.close(), new Promise<void>((r) => smtp.close(() => r()))]);
  });

  it('all channels in parallel; a hanging webhook does not delay the others and is delivered on retry', async () => {
    const deadPort = await freeTcpPort();
    const settings = settingsWithDefaults({ notifiers: [
      { type: 'webhook', name: 'hook', url: `${hook.url}/in`, secret: SECRETS.hook, timeout_ms: 1500, attempts: 2 },
      { type: 'webhook', name: 'dead-hook', url: `http://127.0.0.1:${deadPort}/in`, secret: SECRETS.hook, attempts: 2 },
      { type: 'telegram', name: 'tg', api_base: tg.url, bot_token: SECRETS.bot, chat_ids: ['-100'] },
      { type: 'email', name: 'mail', host: '127.0.0.1', port: smtpPort, user: 'pw', password: SECRETS.smtp, from: 'pw@pw.example.org', to: [] },
    ] });
    expect(checkNotifiers(settings.notifiers)).toEqual([]);

    const logs: string[] = [];
    const logger = createLogger({ level: 'debug', destination: new Writable({ write(c, _e, cb) { logs.push(String(c)); cb(); } }) });
    hook.respond([{ hang: true }]);
    let now = Date.now();
    const clock = { now: () => now, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 20))) };
    const recorded: Array<{ at: number; r: DeliveryResult }> = [];
    const t0 = Date.now();
    const d = createDispatcher({
      notifiers: createNotifiers(settings.notifiers, { clock, logger }),
      record: (_n, rs) => { for (const r of rs) recorded.push({ at: Date.now() - t0, r }); },
      logger, clock, tickMs: 0, retryDelaysMs: [30_000],
    });
    await d.dispatch(firingWithCause);

    const by = (name: string) => recorded.filter((x) => x.r.notifier === name);
    expect(by('tg').map((x) => x.r.ok)).toEqual([true, true]);
    expect(by('mail').map((x) => x.r.ok)).toEqual([true, true]);
    expect(mails.sort()).toEqual(['anna@example.org', 'minh@example.org']);
    // The fast channels were recorded while the webhook was still hanging (its two 1.5 s timeouts).
    const hookAt = recorded.findIndex((x) => x.r.notifier === 'hook');
    for (const x of [...by('tg'), ...by('mail')]) expect(recorded.indexOf(x)).toBeLessThan(hookAt);
    expect(by('hook')[0]!.at).toBeGreaterThanOrEqual(3000);
    expect(by('hook')[0]!.r).toMatchObject({ ok: false, retryable: true, attempts: 2, error: 'timeout after 1500 ms' });
    expect(by('dead-hook')[0]!.r).toMatchObject({ ok: false, retryable: true });
    expect(d.pending().map((p) => p.notifier).sort()).toEqual(['dead-hook', 'hook']);

    // The receiver recovers; 30 s later the retry delivers it, once.
    hook.requests.length = 0;
    hook.respond([{ status: 200 }]);
    now += 30_000;
    await d.runDue();
    expect(by('hook').at(-1)!.r).toMatchObject({ ok: true });
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]!.headers['x-pointwatch-delivery']).toBe(firingWithCause.id);
    expect(d.pending().map((p) => p.notifier)).toEqual(['dead-hook']);
    await d.close();

    const text = logs.join('');
    expect(text).toContain('notification delivered');
    expect(text).toContain('notification failed');
    for (const s of Object.values(SECRETS)) expect(text).not.toContain(s.replace('Bearer ', ''));
    expect(JSON.stringify(recorded)).not.toContain(SECRETS.bot);
  });
});
