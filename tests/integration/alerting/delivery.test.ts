/**
 * The alert engine wired to the REAL dispatcher and notifiers: a webhook to a local HTTP receiver
 * and email to a real SMTP server (smtp-server) started here. A site going down raises one
 * notification on each channel with the runbook and acknowledge links; its parent going down
 * raises exactly one incident; delivery results land in SQLite with no secret in them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertEngine, type AlertEngine } from '../../../src/alerting/engine.js';
import { createDispatcher, type Dispatcher as RealDispatcher } from '../../../src/alerting/notifiers/dispatcher.js';
import { createNotifiers } from '../../../src/alerting/notifiers/registry.js';
import { verifySignature } from '../../../src/alerting/notifiers/webhook.js';
import { check } from '../../../src/alerting/testkit.js';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { ManualClock } from '../../../src/core/clock.js';
import { createLogger } from '../../../src/core/logger.js';
import { openDatabase, type Db } from '../../../src/store/sqlite.js';
import { freeTcpPort } from '../../helpers/ports.js';
import { startRecorder, type Recorder } from '../notifiers/http-recorder.js';
import { inventory, PUBLIC_URL } from './harness.js';
import { T0 } from '../../../src/alerting/testkit.js';

const HOOK_SECRET = 'whsec-alerting-e2e-41f0';
const SMTP_PASS = 'smtp-alerting-e2e-93ab';

interface Mail { to: string[]; raw: string }

describe('alert engine → dispatcher → webhook + SMTP', () => {
  let hook: Recorder;
  let smtp: SMTPServer;
  let smtpPort: number;
  const inbox: Mail[] = [];
  let dir: string;
  let db: Db;
  let engine: AlertEngine;
  let dispatcher: RealDispatcher;
  const logs: string[] = [];
  const clock = new ManualClock(T0);
  let cycle = 0;

  beforeAll(async () => {
    hook = await startRecorder([{ status: 204 }]);
    smtpPort = await freeTcpPort();
    smtp = new SMTPServer({
      secure: false, disabledCommands: ['STARTTLS'], allowInsecureAuth: true, authMethods: ['PLAIN', 'LOGIN'], logger: false,
      onAuth(auth, _s, cb) { cb(auth.password === SMTP_PASS ? null : new Error('bad auth'), { user: auth.username }); },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => { inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') }); cb(null); });
      },
    });
    await new Promise<void>((resolve, reject) => { smtp.once('error', reject); smtp.listen(smtpPort, '127.0.0.1', () => resolve()); });

    const settings = settingsWithDefaults({
      notifiers: [
        { type: 'webhook', name: 'ops-hook', url: `${hook.url}/hooks/pointwatch`, secret: HOOK_SECRET },
        { type: 'email', name: 'mail', host: '127.0.0.1', port: smtpPort, user: 'pointwatch', password: SMTP_PASS, from: 'pointwatch <alerts@pw.example.org>', to: ['noc@pw.example.org'] },
      ],
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-alerting-e2e-'));
    db = openDatabase(path.join(dir, 'pointwatch.db'));
    const logger = createLogger({ level: 'debug', destination: { write: (s: string) => { logs.push(s); } } });
    // the engine owns the repository; the dispatcher records into it
    let repoRef: AlertEngine['repo'] | null = null;
    dispatcher = createDispatcher({
      notifiers: createNotifiers(settings.notifiers, { logger, tz: settings.reports.timezone }),
      record: (notice, results) => repoRef?.recordDeliveryResults(notice, results),
      logger, tickMs: 0,
    });
    engine = createAlertEngine({ settings, inventory, db, clock, logger, dispatcher, publicUrl: PUBLIC_URL });
    repoRef = engine.repo;
  });

  afterAll(async () => {
    await engine.drain();
    await dispatcher.close();
    db.close();
    await hook.close();
    await new Promise<void>((r) => smtp.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function run(down: string[], recheck = false) {
    clock.advance(recheck ? 3000 : 30_000);
    if (!recheck) cycle++;
    const ids = recheck ? down : inventory.sites.map((s) => s.id);
    const out = await engine.ingest(ids.map((id) => check(id, { ts: clock.now(), cycle, recheck, received: down.includes(id) ? 0 : 5 })));
    await out.delivery;
    return out;
  }

  it('a site down: one webhook and one email per address, with runbook and acknowledge links; recorded in SQLite', async () => {
    await run([]);
    await run(['sp-1']);
    const out = await run(['sp-1'], true);
    expect(await out.delivery).toEqual([{ id: expect.stringMatching(/^incident-\d+-firing-commune$/), ok: true }]);
    const noticeId = out.notices[0]!;
    const incidentId = Number(noticeId.split('-')[1]);

    expect(hook.requests).toHaveLength(1);
    const req = hook.requests[0]!;
    expect(req.headers['x-pointwatch-delivery']).toBe(noticeId);
    expect(verifySignature(req.raw, HOOK_SECRET, req.headers['x-pointwatch-signature'] as string)).toBe(true);
    expect(req.json).toMatchObject({
      event: 'firing', kind: 'site-down', state: 'DOWN', detail: 'no ping reply: 5 sent, 0 received, 2 checks',
      // no server secret given to this engine: the plain pages (sign-in needed)
      runbook_url: `https://pointwatch.example.vn/incidents/${incidentId}`,
      ack_url: `https://pointwatch.example.vn/incidents/${incidentId}/ack`,
    });

    expect(inbox.map((m) => m.to.join(',')).sort()).toEqual(['noc@pw.example.org', 'vh.sapa@example.vn']);
    for (const m of inbox) {
      const raw = m.raw.replace(/=\r?\n/g, ''); // quoted-printable soft line breaks may fall inside a link
      expect(raw).toContain(`https://pointwatch.example.vn/incidents/${incidentId}/ack`);
    }

    expect(engine.repo.getNotice(noticeId)).toMatchObject({ status: 'dispatched', attempts: 1 });
    const rows = engine.repo.deliveries(noticeId).map((d) => `${d.channel} ${d.recipient} ${d.status}`);
    expect(rows).toEqual(['mail noc@pw.example.org delivered', 'mail vh.sapa@example.vn delivered', 'ops-hook ops-hook delivered']);
    const dump = JSON.stringify(db.prepare('SELECT * FROM alert_deliveries').all()) + JSON.stringify(db.prepare('SELECT * FROM alert_notices').all());
    expect(dump).not.toContain(HOOK_SECRET);
    expect(dump).not.toContain(SMTP_PASS);
    expect(logs.join('')).not.toContain(SMTP_PASS);
    expect(logs.join('')).not.toContain(HOOK_SECRET);

    hook.requests.length = 0;
    inbox.length = 0;
    await run([]);
    await run([]);
    expect(hook.requests.map((r) => (r.json as { event: string }).event)).toEqual(['resolved']);
  });

  it('a parent down takes its children with it: exactly one incident, one webhook', async () => {
    hook.requests.length = 0;
    inbox.length = 0;
    const before = engine.repo.listIncidents({}).length;
    const yty = ['yty-hub', 'yty-nvh', 'yty-school', 'yty-far'];
    await run(yty);
    await run(yty, true);
    for (let i = 0; i < 4; i++) await run(yty);
    expect(engine.repo.listIncidents({}).length - before).toBe(1);
    expect(hook.requests).toHaveLength(1);
    const body = hook.requests[0]!.json as { kind: string; site: { id: string }; affected: Array<{ id: string }> };
    expect(body.site.id).toBe('yty-hub');
    expect(body.kind).toBe('upstream-down');
    expect((hook.requests[0]!.json as { runbook_url: string }).runbook_url).toMatch(/^https:\/\/pointwatch\.example\.vn\/incidents\/\d+$/);
    expect(body.affected.map((a) => a.id)).toEqual(['yty-nvh', 'yty-school', 'yty-far']);
  });
});
