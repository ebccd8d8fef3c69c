/**
 * Webhook notifier against a real local HTTP server: signature over the raw body, delivery id,
 * retries on 5xx/timeouts/refused, no retry on 4xx, 429 with Retry-After.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { createWebhook, verifySignature, type WebhookConfig } from '../../../src/alerting/notifiers/webhook.js';
import { firingDown, resolvedPower } from '../../../src/alerting/notifiers/testdata/notices.js';
import { freeTcpPort } from '../../helpers/ports.js';
import { recordingClock, startRecorder, type Recorder } from './http-recorder.js';

const SECRET = 'whsec-9f8e7d6c5b4a';

function config(url: string, extra: Record<string, unknown> = {}): WebhookConfig {
  return settingsWithDefaults({ notifiers: [{ type: 'webhook', name: 'ops-hook', url, secret: SECRET, ...extra }] }).notifiers[0] as WebhookConfig;
}

describe('webhook notifier (local HTTP receiver)', () => {
  let srv: Recorder;
  beforeAll(async () => { srv = await startRecorder(); });
  afterAll(async () => { await srv.close(); });

  it('POSTs the versioned JSON body, signed over the raw bytes, with the delivery id', async () => {
    srv.requests.length = 0;
    srv.respond([{ status: 204 }]);
    const n = createWebhook(config(`${srv.url}/hooks/pointwatch`), { clock: recordingClock() });
    const results = await n.send(resolvedPower, resolvedPower.recipients);
    expect(results).toEqual([{ channel: 'webhook', notifier: 'ops-hook', recipient: 'ops-hook', ok: true, status: 204, attempts: 1 }]);
    expect(srv.requests).toHaveLength(1);
    const r = srv.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/hooks/pointwatch');
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.headers['x-pointwatch-delivery']).toBe('inc-17-resolved-commune');
    expect(r.headers['x-pointwatch-event']).toBe('resolved');
    expect(verifySignature(r.raw, SECRET, r.headers['x-pointwatch-signature'] as string)).toBe(true);
    expect(verifySignature(r.raw, 'wrong', r.headers['x-pointwatch-signature'] as string)).toBe(false);
    const body = r.json as Record<string, unknown>;
    expect(body).toMatchObject({ version: 1, delivery_id: 'inc-17-resolved-commune', event: 'resolved', state: 'UP', cause: 'power', duration_s: 4320 });
    expect(body.runbook_url).toBe(resolvedPower.runbook_url);
    expect(body.ack_url).toBe(resolvedPower.ack_url);
    expect(r.text).not.toContain(SECRET);
  });

  it('500 then 200: retried with backoff, delivered exactly once', async () => {
    srv.requests.length = 0;
    srv.respond([{ status: 500, body: 'boom' }, { status: 200, json: { received: true } }]);
    const clock = recordingClock();
    const n = createWebhook(config(`${srv.url}/h`), { clock, backoffBaseMs: 200 });
    const [r] = await n.send(firingDown, []);
    expect(r).toMatchObject({ ok: true, status: 200, attempts: 2 });
    expect(srv.requests).toHaveLength(2);
    expect(srv.requests.filter((q) => q.path === '/h')).toHaveLength(2);
    expect(clock.sleeps).toEqual([200]);
    // The same delivery id both times: a receiver de-duplicates on it.
    expect(new Set(srv.requests.map((q) => q.headers['x-pointwatch-delivery']))).toEqual(new Set([firingDown.id]));
  });

  it('500 every time: gives up after `attempts`, retryable for the dispatcher', async () => {
    srv.requests.length = 0;
    srv.respond([{ status: 503, body: 'down for maintenance' }]);
    const n = createWebhook(config(`${srv.url}/h`, { attempts: 3 }), { clock: recordingClock() });
    const [r] = await n.send(firingDown, []);
    expect(r).toMatchObject({ ok: false, status: 503, attempts: 3, retryable: true, error: 'HTTP 503: down for maintenance' });
    expect(srv.requests).toHaveLength(3);
  });

  it('400: not retried, recorded with the reason', async () => {
    srv.requests.length = 0;
    srv.respond([{ status: 400, json: { message: 'unknown field' } }]);
    const n = createWebhook(config(`${srv.url}/h`), { clock: recordingClock() });
    const [r] = await n.send(firingDown, []);
    expect(r).toMatchObject({ ok: false, status: 400, attempts: 1, retryable: false, error: 'HTTP 400: unknown field' });
    expect(srv.requests).toHaveLength(1);
  });

  it('429 with Retry-After: waits that long, then delivers', async () => {
    srv.requests.length = 0;
    srv.respond([{ status: 429, headers: { 'retry-after': '2' }, body: 'slow down' }, { status: 200 }]);
    const clock = recordingClock();
    const n = createWebhook(config(`${srv.url}/h`), { clock, backoffBaseMs: 100 });
    const [r] = await n.send(firingDown, []);
    expect(r).toMatchObject({ ok: true, attempts: 2 });
    expect(clock.sleeps).toEqual([2000]);
  });

  it('slow receiver: times out per request and is retried', async () => {
    srv.requests.length = 0;
    srv.respond([{ status: 200, delayMs: 3000 }, { status: 200 }]);
    const n = createWebhook(config(`${srv.url}/h`, { timeout_ms: 300 }), { clock: recordingClock() });
    const t0 = Date.now();
    const [r] = await n.send(firingDown, []);
    expect(Date.now() - t0).toBeLessThan(2900); // the 3 s answer was not waited for
    expect(r).toMatchObject({ ok: true, attempts: 2 });
  });

  it('receiver down (connection refused): failure, retryable, no secret in the error', async () => {
    const port = await freeTcpPort();
    const url = `http://127.0.0.1:${port}/hook?token=${SECRET}`;
    const n = createWebhook(config(url, { attempts: 2 }), { clock: recordingClock() });
    const [r] = await n.send(firingDown, []);
    expect(r).toMatchObject({ ok: false, retryable: true, attempts: 2 });
    expect(r!.error).toMatch(/ECONNREFUSED/);
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });
});
