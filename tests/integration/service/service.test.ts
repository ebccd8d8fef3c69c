/**
 * The whole service, wired by src/main.ts exactly as `pointwatch run` wires it, against real
 * components: influxd, the simulated fleet (net-snmp agents + a network namespace where faults are
 * real ICMP/UDP drops), fping, a real SMTP server and a real webhook receiver.
 *
 * A site taken down → ONE notification on each channel, with the runbook link.
 * Its parent (the commune office) taken down → exactly ONE incident, children UNREACHABLE, no
 * notification of their own.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { createFleet, type Fleet } from '../../../src/sim/fleet.js';
import { startService, type Service } from '../../../src/main.js';
import { AuthStore } from '../../../src/api/auth/store.js';
import { silentLogger } from '../../../src/core/logger.js';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import { freeTcpPort } from '../../helpers/ports.js';
import { startSmtp, type SmtpReceiver } from '../../helpers/smtp.js';
import { startWebhook, type WebhookReceiver } from '../../helpers/webhook.js';

interface Hook { event: string; kind: string; site: { id: string } | null; affected: Array<{ id: string }>; runbook_url: string; ack_url: string; state: string }

let influxd: Influxd;
let fleet: Fleet;
let svc: Service;
let smtp: SmtpReceiver;
let hook: WebhookReceiver<Hook>;
let token = '';
let parentKind = '';

// Commune 1 of the simulated fleet: sim-0001 is the commune office, sim-0002..0004 hang from it.
const PARENT = 'sim-0001';
const CHILDREN = ['sim-0002', 'sim-0003', 'sim-0004'];
const LONE = 'sim-0006'; // in commune 2, its parent sim-0005 stays up

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-svc-'));
  influxd = await startInfluxd();
  hook = await startWebhook<Hook>();
  smtp = await startSmtp();

  fleet = await createFleet({
    sites: 8,
    basePort: 12000 + Math.floor(Math.random() * 18000),
    loopbackBlock: 79,
    netnsSites: [PARENT, ...CHILDREN, LONE],
    prefix: 'sim',
  });
  expect(fleet.netns.active, `network namespace needed for real faults: ${fleet.netns.reason}`).toBe(true);

  const apiPort = await freeTcpPort();
  const settings = settingsWithDefaults({
    data_dir: dir,
    runbooks_dir: path.resolve('config/runbooks'),
    log_level: 'warn',
    influx: { url: influxd.url, database: 'pwsvc', flush_interval_ms: 200 },
    poller: {
      ping: { interval_s: 10, count: 5, period_ms: 50, timeout_ms: 300 },
      snmp: { system_interval_s: 10, interfaces_interval_s: 10, timeout_ms: 500, retries: 0 },
      recheck: { delay_s: 1 },
      spread: false,
    },
    notifiers: [
      { type: 'webhook', name: 'hook', url: `${hook.url}/pw`, secret: 'webhook-secret-xyz' },
      { type: 'email', name: 'mail', host: '127.0.0.1', port: smtp.port, from: 'pointwatch@example.org', to: ['noc@example.org'] },
    ],
    api: { host: '127.0.0.1', port: apiPort, public_url: `http://127.0.0.1:${apiPort}` },
  });
  const settingsPath = path.join(dir, 'pointwatch.yaml');
  fs.writeFileSync(settingsPath, '{}\n');
  svc = await startService({
    loaded: { settings, inventory: fleet.inventory, settingsPath, inventoryPath: path.join(dir, 'sites.yaml'), warnings: [] },
    schedule: false,
    logger: silentLogger(),
  });
  const auth = new AuthStore(svc.db);
  const admin = await auth.addUser('admin', 'admin', [], 'admin-password-1');
  token = auth.createToken(admin.id, 'test').token;
}, 120_000);

afterAll(async () => {
  await svc?.stop();
  await fleet?.close();
  await influxd?.stop();
  await hook?.close();
  await smtp?.close();
});

async function api<T>(p: string): Promise<T> {
  const res = await fetch(`${svc.url}${p}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, p).toBe(200);
  return (await res.json()) as T;
}

async function until(what: string, fn: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('pointwatch service, end to end', () => {
  it('all sites come up UP after two checks', async () => {
    await svc.cycle();
    await svc.cycle();
    const states = svc.engine.states();
    expect([...states.values()].map((s) => s.state)).toEqual(Array(8).fill('UP'));
    expect(hook.bodies).toEqual([]);
  });

  it('a site taken down raises ONE notification per channel, with the runbook link', async () => {
    await fleet.setFault(LONE, { kind: 'down' });
    await svc.cycle(); // the check fails, the fast re-check confirms it: DOWN within one cycle
    await until('webhook', () => hook.bodies.length >= 1);
    await until('email', () => smtp.mails.length >= 1);
    await svc.cycle(); // stays down: nothing new
    await new Promise((r) => setTimeout(r, 500));
    expect(svc.engine.states().get(LONE)?.state).toBe('DOWN');
    expect(hook.bodies).toHaveLength(1);
    expect(hook.bodies[0]).toMatchObject({ event: 'firing', kind: 'site-down', site: { id: LONE }, state: 'DOWN' });
    expect(hook.bodies[0]!.runbook_url).toMatch(/\/s\/\d+\.[0-9a-z]+\.[A-Za-z0-9_-]{22}$/); // a signed link to the incident's page
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.raw).toContain('/s/');
    expect(smtp.mails[0]!.raw.replace(/=\r?\n/g, '')).toContain(hook.bodies[0]!.ack_url); // quoted-printable wraps long lines
  });

  it('the commune office taken down raises exactly ONE incident; children are UNREACHABLE and silent', async () => {
    const before = hook.bodies.length;
    await fleet.setFault(PARENT, { kind: 'down' });
    for (const c of CHILDREN) await fleet.setFault(c, { kind: 'down' }); // everything behind it goes dark too
    await svc.cycle();
    await svc.cycle();
    await until('parent notice', () => hook.bodies.length > before);
    await new Promise((r) => setTimeout(r, 500));
    const fresh = hook.bodies.slice(before);
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.site?.id).toBe(PARENT);
    // A parent with sites behind it is an upstream outage (or a plain site-down if its children were judged later).
    expect(['upstream-down', 'site-down']).toContain(fresh[0]!.kind);
    parentKind = fresh[0]!.kind;
    expect(fresh[0]!.affected.map((a) => a.id).sort()).toEqual(CHILDREN);
    for (const c of CHILDREN) expect(svc.engine.states().get(c)?.state).toBe('UNREACHABLE');
    const open = await api<{ items: Array<{ site_id: string | null }> }>('/api/v1/incidents?limit=50');
    expect(open.items.map((i) => i.site_id).sort()).toEqual([PARENT, LONE].sort());
  });

  it('parent back with one child still down: the parent resolves and that child gets its own alert', async () => {
    const before = hook.bodies.length;
    await fleet.setFault(PARENT, null);
    await fleet.setFault(CHILDREN[0]!, null);
    await fleet.setFault(CHILDREN[1]!, null);
    // CHILDREN[2] stays down
    for (let i = 0; i < 3; i++) await svc.cycle();
    await until('resolve + child alert', () => hook.bodies.slice(before).length >= 2);
    await new Promise((r) => setTimeout(r, 500));
    const fresh = hook.bodies.slice(before).map((h) => `${h.event} ${h.kind} ${h.site?.id}`).sort();
    expect(fresh).toEqual([`firing site-down ${CHILDREN[2]}`, `resolved ${parentKind} ${PARENT}`].sort());
    expect(svc.engine.states().get(CHILDREN[2]!)?.state).toBe('DOWN');
    expect(svc.engine.states().get(CHILDREN[0]!)?.state).toBe('UP');
  });

  it('the API and /metrics show what the poller measured', async () => {
    const sites = await api<{ items: Array<{ site: { id: string }; state: { state: string } }>; total: number }>('/api/v1/sites?limit=100');
    expect(sites.total).toBe(8);
    expect(sites.items.find((s) => s.site.id === LONE)?.state.state).toBe('DOWN');
    const down = await api<{ items: Array<{ site: { id: string } }> }>('/api/v1/sites?state=DOWN');
    expect(down.items.map((s) => s.site.id).sort()).toEqual([CHILDREN[2]!, LONE].sort());
    const body = JSON.stringify(sites);
    expect(body).not.toContain('simpublic'); // the fleet's community never leaves the server
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(Number(/pointwatch_points_written_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(metrics).toMatch(/pointwatch_notifications_total\{result="sent"\} [1-9]/);
  });
});
