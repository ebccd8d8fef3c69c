/**
 * End to end with the fleet simulator: real routers (net-snmp agents) in a network namespace
 * where "down" really drops ICMP and SNMP, the real poller (fping + net-snmp, fast re-check),
 * the alert engine on a SQLite file, the real dispatcher, a local webhook receiver and a real
 * SMTP server.
 *
 * - a village point taken down raises ONE notification per channel, with the runbook link;
 *   brought back, one resolved notification;
 * - a commune office (the parent of its commune's other points) taken down with everything
 *   behind it raises exactly ONE incident, listing the points behind it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertEngine, type AlertEngine, type DispatchOutcome } from '../../../src/alerting/engine.js';
import { createDispatcher, type Dispatcher } from '../../../src/alerting/notifiers/dispatcher.js';
import { createNotifiers } from '../../../src/alerting/notifiers/registry.js';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { createPoller, type Poller } from '../../../src/poller/index.js';
import { createPingProbe } from '../../../src/probes/ping/index.js';
import { createSnmpProbe } from '../../../src/probes/snmp/index.js';
import { createFleet, type Fleet } from '../../../src/sim/fleet.js';
import { openDatabase, type Db } from '../../../src/store/sqlite.js';
import { freeTcpPort } from '../../helpers/ports.js';
import { startRecorder, type Recorder } from '../notifiers/http-recorder.js';

const logger = silentLogger();
const basePort = 10000 + Math.floor(Math.random() * 20000);
// sim-0001 is the commune office of sim-0002..0004; sim-0005 of sim-0006..0008
const NETNS = ['sim-0002', 'sim-0005', 'sim-0006', 'sim-0007', 'sim-0008'];

interface Mail { to: string[]; raw: string }

describe('fleet → poller → alert engine → webhook + SMTP', () => {
  let fleet: Fleet;
  let poller: Poller;
  let hook: Recorder;
  let smtp: SMTPServer;
  const inbox: Mail[] = [];
  let dir: string;
  let db: Db;
  let engine: AlertEngine;
  let dispatcher: Dispatcher;
  const deliveries: Array<Promise<DispatchOutcome[]>> = [];
  let cycle = 0;
  const settings = settingsWithDefaults({
    poller: {
      ping: { count: 3, period_ms: 20, timeout_ms: 300, interval_s: 5 },
      snmp: { timeout_ms: 1000, retries: 0, system_interval_s: 5, interfaces_interval_s: 5 },
      recheck: { delay_s: 0 },
      spread: false,
    },
    api: { public_url: 'https://pw.example.vn' },
  });
  const snmp = createSnmpProbe(settings.poller.snmp);

  beforeAll(async () => {
    hook = await startRecorder([{ status: 204 }]);
    const smtpPort = await freeTcpPort();
    smtp = new SMTPServer({
      secure: false, disabledCommands: ['STARTTLS'], authOptional: true, logger: false,
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => { inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') }); cb(null); });
      },
    });
    await new Promise<void>((resolve, reject) => { smtp.once('error', reject); smtp.listen(smtpPort, '127.0.0.1', () => resolve()); });
    const notifierSettings = settingsWithDefaults({
      notifiers: [
        { type: 'webhook', name: 'ops', url: `${hook.url}/pw`, secret: 'whsec-fleet-e2e' },
        { type: 'email', name: 'mail', host: '127.0.0.1', port: smtpPort, from: 'pw <alerts@pw.example.org>', to: ['noc@pw.example.org'] },
      ],
    });

    fleet = await createFleet({ sites: 8, basePort, loopbackBlock: 31, netnsSites: NETNS, logger });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-alerting-fleet-'));
    db = openDatabase(path.join(dir, 'pointwatch.sqlite'));
    let repo: AlertEngine['repo'] | null = null;
    dispatcher = createDispatcher({
      notifiers: createNotifiers(notifierSettings.notifiers, { logger, tz: settings.reports.timezone }),
      record: (n, r) => repo?.recordDeliveryResults(n, r),
      logger, tickMs: 0,
    });
    engine = createAlertEngine({ settings, inventory: fleet.inventory, db, clock: systemClock, logger, dispatcher, publicUrl: settings.api.public_url });
    repo = engine.repo;
    poller = createPoller({
      settings, sites: fleet.sites, ping: createPingProbe(settings.poller.ping), snmp, clock: systemClock, logger,
      onCheck: async (checks) => { deliveries.push((await engine.ingest(checks)).delivery); },
    });
  });

  afterAll(async () => {
    await engine?.drain();
    await dispatcher?.close();
    db?.close();
    snmp.close();
    await fleet?.close();
    await hook?.close();
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function runCycle() {
    cycle++;
    await poller.runCycle(cycle, { interval_s: 5 });
    await Promise.all(deliveries.splice(0));
  }
  const hooks = () => hook.requests.map((r) => r.json as { event: string; kind: string; site: { id: string } | null; affected: Array<{ id: string }>; runbook_url: string });

  it('a village point down: one webhook and one email, with the runbook link; back up: one resolved', { timeout: 60_000 }, async () => {
    expect(fleet.netns.active).toBe(true);
    await runCycle();
    expect([...engine.states().values()].every((s) => s.state === 'UP')).toBe(true);

    await fleet.setFault('sim-0002', { kind: 'down' });
    await runCycle(); // check + fast re-check: confirmed
    expect(engine.states().get('sim-0002')!.state).toBe('DOWN');
    expect(hooks().map((b) => `${b.event} ${b.kind} ${b.site?.id}`)).toEqual(['firing site-down sim-0002']);
    expect(hooks()[0]!.runbook_url).toMatch(/^https:\/\/pw\.example\.vn\/incidents\/\d+$/); // no server secret here: the plain page
    expect(inbox.map((m) => m.to.join(','))).toEqual(['noc@pw.example.org']);
    // the text part is quoted-printable: undo its soft line breaks before looking for the link
    expect(inbox[0]!.raw.replace(/=\r?\n/g, '')).toContain(hooks()[0]!.runbook_url);

    await runCycle();
    expect(hook.requests).toHaveLength(1); // still down: nothing new

    await fleet.setFault('sim-0002', null);
    await runCycle();
    await runCycle();
    expect(hooks().map((b) => `${b.event} ${b.kind} ${b.site?.id}`)).toEqual(['firing site-down sim-0002', 'resolved site-down sim-0002']);
    expect(inbox).toHaveLength(2);
  });

  it('a commune office down with the points behind it: exactly one incident', { timeout: 60_000 }, async () => {
    hook.requests.length = 0;
    inbox.length = 0;
    const before = engine.repo.listIncidents({}).length;
    for (const id of ['sim-0005', 'sim-0006', 'sim-0007', 'sim-0008']) await fleet.setFault(id, { kind: 'down' });
    await runCycle();
    await runCycle();
    expect(engine.repo.listIncidents({}).length - before).toBe(1);
    expect(hooks().map((b) => `${b.event} ${b.kind} ${b.site?.id}`)).toEqual(['firing upstream-down sim-0005']);
    expect(hooks()[0]!.affected.map((a) => a.id)).toEqual(['sim-0006', 'sim-0007', 'sim-0008']);
    for (const id of ['sim-0006', 'sim-0007', 'sim-0008']) expect(engine.states().get(id)!.state).toBe('UNREACHABLE');
    expect(inbox).toHaveLength(1);
    for (const id of ['sim-0005', 'sim-0006', 'sim-0007', 'sim-0008']) await fleet.setFault(id, null);
  });
});
