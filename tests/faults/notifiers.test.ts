/**
 * Notifier faults: the REAL alert engine (SQLite) → REAL dispatcher → REAL webhook and email
 * notifiers, towards a webhook receiver and an SMTP server (smtp-server) that are DOWN when the
 * alerts fire:
 *   - first nothing listens on either port (connection refused);
 *   - then they listen but refuse: the webhook answers 503 to its first requests, the SMTP server
 *     answers 451 (try again later) to its first recipients;
 *   - then they accept.
 * Sites go down (one lone site per commune, and a commune office with sites behind it) while both
 * channels are down, and come back while the channels are still refusing, so firings AND
 * recoveries go through the retry queue. Every notice is delivered exactly once per channel and
 * recipient: dedupe keys are the webhook's `X-Pointwatch-Delivery` header and the email's
 * `X-Pointwatch-Delivery` header + envelope recipient, counted on ACCEPTED deliveries only.
 * Prints one FAULTS line for the README.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertEngine, type AlertEngine } from '../../src/alerting/engine.js';
import { createDispatcher, type Dispatcher } from '../../src/alerting/notifiers/dispatcher.js';
import { createNotifiers } from '../../src/alerting/notifiers/registry.js';
import { check, T0 } from '../../src/alerting/testkit.js';
import { settingsWithDefaults } from '../../src/config/defaults.js';
import { ManualClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import { openDatabase, type Db } from '../../src/store/sqlite.js';
import { freeTcpPort } from '../helpers/ports.js';
import { startSmtp, type SmtpReceiver } from '../helpers/smtp.js';
import { startWebhook, type WebhookReceiver } from '../helpers/webhook.js';
import { inventory, PUBLIC_URL } from '../integration/alerting/harness.js';

const HOOK_SECRET = 'whsec-faults-notifiers-7c21';
const SMTP_PASS = 'smtp-faults-notifiers-0b9e';
const DOWN = ['sp-1', 'ams-1', 'tt-1', 'yty-hub', 'yty-nvh', 'yty-school', 'yty-far'];
const REFUSE_HOOK = 3; // 503 answers once listening
const REFUSE_SMTP = 3; // 451 answers once listening

interface Accepted { id: string; event: string }

let hookPort = 0;
let smtpPort = 0;
let hook: WebhookReceiver<{ event: string }> | null = null;
let smtp: SmtpReceiver | null = null;
let dir = '';
let db: Db;
let engine: AlertEngine;
let dispatcher: Dispatcher;
const logs: string[] = [];
const clock = new ManualClock(T0);
let cycle = 0;

/** What the webhook receiver accepted: the delivery id header and the event of each. */
const hookAccepted = (): Accepted[] => (hook?.deliveries ?? []).map((d) => ({ id: String(d.headers['x-pointwatch-delivery']), event: d.body.event }));

/** What the SMTP server accepted: one entry per recipient, with the delivery id and event headers. */
const mailAccepted = (): Array<Accepted & { rcpt: string }> => (smtp?.mails ?? []).flatMap((m) => {
  const id = /^X-Pointwatch-Delivery: (.+)$/im.exec(m.raw)?.[1]?.trim() ?? '?';
  const event = /^X-Pointwatch-Event: (.+)$/im.exec(m.raw)?.[1]?.trim() ?? '?';
  return m.to.map((rcpt) => ({ id, event, rcpt }));
});

beforeAll(async () => {
  hookPort = await freeTcpPort();
  smtpPort = await freeTcpPort();
  const settings = settingsWithDefaults({
    notifiers: [
      { type: 'webhook', name: 'ops-hook', url: `http://127.0.0.1:${hookPort}/hooks/pointwatch`, secret: HOOK_SECRET, timeout_ms: 1000 },
      { type: 'email', name: 'mail', host: '127.0.0.1', port: smtpPort, user: 'pointwatch', password: SMTP_PASS, from: 'pointwatch <alerts@pw.example.org>', to: ['noc@pw.example.org'], timeout_ms: 2000 },
    ],
  });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-faults-notif-'));
  db = openDatabase(path.join(dir, 'pointwatch.db'));
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void logs.push(s) } });
  let repoRef: AlertEngine['repo'] | null = null;
  dispatcher = createDispatcher({
    notifiers: createNotifiers(settings.notifiers, { logger, tz: settings.reports.timezone, backoffBaseMs: 50 }),
    record: (notice, results) => repoRef?.recordDeliveryResults(notice, results),
    logger,
    retryDelaysMs: [300, 500, 800],
    maxRetries: 50,
    tickMs: 100,
  });
  engine = createAlertEngine({ settings, inventory, db, clock, logger, dispatcher, publicUrl: PUBLIC_URL });
  repoRef = engine.repo;
});

afterAll(async () => {
  await engine?.drain();
  await dispatcher?.close();
  db?.close();
  await hook?.close();
  await smtp?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const notices: string[] = [];
async function run(down: string[], recheck = false): Promise<void> {
  clock.advance(recheck ? 3000 : 30_000);
  if (!recheck) cycle++;
  const ids = recheck ? down : inventory.sites.map((s) => s.id);
  const out = await engine.ingest(ids.map((id) => check(id, { ts: clock.now(), cycle, recheck, received: down.includes(id) ? 0 : 5 })));
  notices.push(...out.notices);
  await out.delivery;
}

async function until(what: string, fn: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('notifiers down, then refusing, then back', () => {
  it('delivers every firing and every recovery exactly once on each channel', async () => {
    await run([]);
    await run(DOWN);
    await run(DOWN, true); // confirmed: the firings go out to channels that do not listen
    for (let i = 0; i < 3; i++) await run(DOWN);
    const firings = notices.length;
    expect(firings).toBeGreaterThan(0);
    expect(dispatcher.pending().length, 'the failed firings wait for a retry').toBeGreaterThan(0);
    expect(hookAccepted().length + mailAccepted().length).toBe(0);

    await new Promise((r) => setTimeout(r, 700)); // a few retries hit closed ports
    hook = await startWebhook({ port: hookPort, status: 204, refuseFirst: REFUSE_HOOK }); // listening, but 503 first
    await run([]);
    await run([]); // recoveries: dispatched while the SMTP port is still closed
    expect(notices.length).toBeGreaterThan(firings);
    await new Promise((r) => setTimeout(r, 500));
    smtp = await startSmtp({ port: smtpPort, auth: { pass: SMTP_PASS }, refuseFirst: REFUSE_SMTP }); // listening, but 451 first

    const hookIds = () => new Set(hookAccepted().map((h) => h.id));
    await until('every notice delivered on the webhook', () => notices.every((n) => hookIds().has(n)), 30_000);
    await until('the retry queue empty', () => dispatcher.pending().length === 0, 30_000);
    await engine.drain();
    await new Promise((r) => setTimeout(r, 1500)); // anything sent twice would arrive now

    const dup = (keys: string[]) => keys.length - new Set(keys).size;
    const accepted = hookAccepted();
    const mails = mailAccepted();
    const hookDup = dup(accepted.map((h) => h.id));
    const mailDup = dup(mails.map((m) => `${m.id} ${m.rcpt}`));
    const noc = new Set(mails.filter((m) => m.rcpt === 'noc@pw.example.org').map((m) => m.id));
    const missingHook = notices.filter((n) => !hookIds().has(n));
    const missingMail = notices.filter((n) => !noc.has(n));
    const events = (xs: Accepted[]) => xs.reduce<Record<string, number>>((a, x) => ((a[x.event] = (a[x.event] ?? 0) + 1), a), {});
    const delivered = db.prepare("SELECT COUNT(*) AS n FROM alert_deliveries WHERE status = 'delivered'").get() as { n: number };
    process.stdout.write(
      `FAULTS notifiers: notices=${notices.length} firing=${events(accepted).firing ?? 0} resolved=${events(accepted).resolved ?? 0} ` +
      `webhook_delivered=${accepted.length} webhook_refused_503=${hook!.refused} email_delivered=${mails.length} smtp_refused_451=${smtp!.refused} ` +
      `missing=${missingHook.length + missingMail.length} duplicates=${hookDup + mailDup} sqlite_delivered_rows=${delivered.n}\n`,
    );
    expect(hook!.refused).toBe(REFUSE_HOOK);
    expect(smtp!.refused).toBe(REFUSE_SMTP);
    expect(events(accepted).firing).toBeGreaterThan(0);
    expect(events(accepted).resolved, 'recoveries delivered too').toBe(events(accepted).firing);
    expect(missingHook).toEqual([]);
    expect(missingMail).toEqual([]);
    expect(hookDup).toBe(0);
    expect(mailDup).toBe(0);
    expect(accepted.length).toBe(notices.length);
    // no secret in what the dispatcher logged about all those failures
    const all = logs.join('');
    expect(all).not.toContain(HOOK_SECRET);
    expect(all).not.toContain(SMTP_PASS);
  }, 90_000);
});
