/** tests/helpers/webhook: the receiver the service tests rely on, fed by the real webhook notifier. */
import { afterAll, describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { createWebhook, verifySignature, type WebhookBodyV1, type WebhookConfig } from '../../../src/alerting/notifiers/webhook.js';
import { firingDown, resolvedPower } from '../../../src/alerting/notifiers/testdata/notices.js';
import { freeTcpPort } from '../../helpers/ports.js';
import { startWebhook, type WebhookReceiver } from '../../helpers/webhook.js';

const SECRET = 'helper-webhook-secret';
const notifier = (url: string) =>
  createWebhook(settingsWithDefaults({ notifiers: [{ type: 'webhook', name: 'hook', url, secret: SECRET, attempts: 1 }] }).notifiers[0] as WebhookConfig, {});

describe('tests/helpers/webhook', () => {
  let hook: WebhookReceiver<WebhookBodyV1> | undefined;
  afterAll(async () => { await hook?.close(); });

  it('collects what the real notifier sends (body, path, headers, raw bytes), waits for a notice still to come, clears, closes', async () => {
    hook = await startWebhook<WebhookBodyV1>();
    expect(hook.url).toBe(`http://127.0.0.1:${hook.port}`);
    const send = notifier(`${hook.url}/pw`);

    expect(await send.send(firingDown, [])).toMatchObject([{ ok: true, status: 200 }]);
    expect(hook.bodies).toHaveLength(1);
    const [d] = hook.deliveries;
    expect(d).toMatchObject({ path: '/pw', body: { event: 'firing', delivery_id: firingDown.id, site: { id: 'ban-lac-nvh' } } });
    expect(d!.headers['x-pointwatch-delivery']).toBe(firingDown.id);
    expect(verifySignature(d!.raw, SECRET, d!.headers['x-pointwatch-signature'] as string)).toBe(true);

    // waitFor: a body already there resolves at once; one still to come resolves when it arrives
    expect(await hook.waitFor('the firing notice', (b) => b.event === 'firing', 1000)).toBe(hook.bodies[0]);
    const resolved = hook.waitFor('the resolved notice', (b) => b.event === 'resolved', 5000);
    setTimeout(() => void send.send(resolvedPower, []), 300);
    expect(await resolved).toMatchObject({ event: 'resolved', cause: 'power' });
    expect(hook.bodies.map((b) => b.event)).toEqual(['firing', 'resolved']);

    // a notice that never comes: rejects, naming what did come
    await expect(hook.waitFor('an upstream outage', (b) => b.kind === 'upstream-down', 300)).rejects.toThrow(
      /^timed out waiting for an upstream outage; notices so far \[\["firing","site-down","ban-lac-nvh",.*\],\["resolved",.*\]\]$/,
    );
    await expect(hook.waitFor('an upstream outage', (b) => b.kind === 'upstream-down', 100, () => 'states: all UP')).rejects.toThrow(/\]\]; states: all UP$/);

    // not JSON: answered 400, kept apart
    const bad = await fetch(`${hook.url}/pw`, { method: 'POST', body: 'not json' });
    expect(bad.status).toBe(400);
    expect(hook.malformed).toEqual(['not json']);
    expect(hook.bodies).toHaveLength(2);

    const bodies = hook.bodies;
    hook.clear();
    expect(bodies).toEqual([]); // emptied in place: a test holding the array sees it
    expect(hook.deliveries).toEqual([]);
    expect(hook.malformed).toEqual([]);

    await hook.close();
    await hook.close(); // twice is fine (a test's afterAll after a failed test)
    await expect(fetch(`${hook.url}/pw`, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('answers with the status asked for', async () => {
    const h = await startWebhook({ status: 204 });
    try {
      const res = await fetch(`${h.url}/x`, { method: 'POST', body: '{"a":1}' });
      expect(res.status).toBe(204);
      expect(h.deliveries).toMatchObject([{ path: '/x', body: { a: 1 } }]);
    } finally {
      await h.close();
    }
  });

  it('down at first on a port known in advance, then refusing its first requests: the notifier gets 503s, then delivers', async () => {
    const port = await freeTcpPort();
    const send = notifier(`http://127.0.0.1:${port}/pw`);
    expect(await send.send(firingDown, [])).toMatchObject([{ ok: false, retryable: true }]); // nothing listens yet
    const h = await startWebhook<WebhookBodyV1>({ port, refuseFirst: 2 });
    try {
      expect(h.port).toBe(port);
      expect(await send.send(firingDown, [])).toMatchObject([{ ok: false, status: 503 }]);
      expect(await send.send(firingDown, [])).toMatchObject([{ ok: false, status: 503 }]);
      expect(h.refused).toBe(2);
      expect(h.bodies).toEqual([]);
      expect(await send.send(firingDown, [])).toMatchObject([{ ok: true, status: 200 }]);
      expect(h.bodies.map((b) => b.delivery_id)).toEqual([firingDown.id]);
    } finally {
      await h.close();
    }
  });
});
