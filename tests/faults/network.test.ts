/**
 * Network faults with the fleet simulator, through the REAL poller (fping + net-snmp), the REAL
 * alert engine (SQLite) and the REAL dispatcher → a local webhook receiver. 24 sites, 6 communes
 * of 4 (the first site of each commune is the office the others hang from):
 *   - lossy: 30 % of ICMP and SNMP dropped (iptables in the simulator's network namespace) on 5
 *     sites over every cycle → 0 DOWN judged, 0 site-down incident;
 *   - slow: 2 agents answer SNMP 4 s late (beyond timeout × tries) → DEGRADED snmp-unreachable,
 *     never DOWN while ping answers, and the other sites' SNMP polls are not delayed;
 *   - stop mid-walk: an agent answers the first request of each poll (the system GET) and then
 *     goes silent (the interface walk never completes) → snmp-unreachable, never DOWN, no crash;
 *   - a whole commune dark (its 4 sites, no parent links between them, so the commune-outage rule
 *     and not the parent graph must catch it) → ONE incident and ONE firing notice for the
 *     commune, then ONE resolved notice.
 * Prints one FAULTS line for the README.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertEngine, type AlertEngine } from '../../src/alerting/engine.js';
import { createDispatcher, type Dispatcher } from '../../src/alerting/notifiers/dispatcher.js';
import { createNotifiers } from '../../src/alerting/notifiers/registry.js';
import { settingsWithDefaults } from '../../src/config/defaults.js';
import type { Inventory, Settings } from '../../src/config/schema.js';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { SiteCheck } from '../../src/core/types.js';
import { createPingProbe } from '../../src/probes/ping/index.js';
import { createSnmpProbe } from '../../src/probes/snmp/index.js';
import { createPoller, type Poller } from '../../src/poller/index.js';
import { createFleet, type Fleet } from '../../src/sim/fleet.js';
import { openDatabase, type Db } from '../../src/store/sqlite.js';
import { startWebhook, type WebhookReceiver } from '../helpers/webhook.js';

const id = (n: number) => `sim-${String(n).padStart(4, '0')}`;
const LOSSY = [2, 3, 6, 7, 10].map(id);
const SLOW = [14, 15].map(id);
const MIDWALK = id(18);
const DARK = [21, 22, 23, 24].map(id); // commune "Xa 6"
const CYCLES = 14;
const DARK_FROM = 4; // cycles DARK_FROM..DARK_TO (1-based) the commune is dark
const DARK_TO = 9;
const SNMP_TIMEOUT = 500;
const SLOW_MS = 4000;

interface Hook { event: string; kind: string; site: { id: string } | null }

let fleet: Fleet;
let db: Db;
let engine: AlertEngine;
let dispatcher: Dispatcher;
let poller: Poller;
let hook: WebhookReceiver<Hook>;
let dir = '';
const checks: SiteCheck[] = [];
const judged: Array<{ site: string; state: string }> = [];
let midwalkAllowed = 0;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-faults-net-'));
  hook = await startWebhook<Hook>({ status: 204 });

  fleet = await createFleet({ sites: 24, basePort: 10_000 + Math.floor(Math.random() * 20_000), loopbackBlock: 83, netnsSites: [...LOSSY, ...DARK], prefix: 'sim' });
  expect(fleet.netns.active, `network namespace needed for real faults: ${fleet.netns.reason}`).toBe(true);
  for (const s of LOSSY) await fleet.setFault(s, { kind: 'lossy', p: 0.3 });
  for (const s of SLOW) await fleet.setFault(s, { kind: 'slow', delay_ms: SLOW_MS });
  // Stop mid-walk: the agent answers the first request of each poll, then drops everything.
  const mw = fleet.router(MIDWALK);
  const decide = mw.model.decide.bind(mw.model);
  mw.model.decide = (now: number, rand: number) => (mw.agent.stats.requests > midwalkAllowed ? { action: 'drop' } : decide(now, rand));

  // The dark commune without parent links: only the commune-outage rule can fold it.
  const inventory: Inventory = { ...fleet.inventory, sites: fleet.inventory.sites.map((s) => (DARK.includes(s.id) ? { ...s, parent: undefined } : s)) };
  const settings: Settings = settingsWithDefaults({
    poller: {
      ping: { interval_s: 10, count: 5, period_ms: 50, timeout_ms: 400 },
      snmp: { system_interval_s: 10, interfaces_interval_s: 10, timeout_ms: SNMP_TIMEOUT, retries: 1 },
      recheck: { delay_s: 1 },
      spread: false,
    },
    notifiers: [{ type: 'webhook', name: 'hook', url: `${hook.url}/pw`, secret: 'net-faults-secret' }],
  });
  const logger = silentLogger();
  db = openDatabase(path.join(dir, 'pointwatch.sqlite'));
  let repoRef: AlertEngine['repo'] | null = null;
  dispatcher = createDispatcher({
    notifiers: createNotifiers(settings.notifiers, { logger }),
    record: (n, results) => repoRef?.recordDeliveryResults(n, results),
    logger,
  });
  engine = createAlertEngine({ settings, inventory, db, clock: systemClock, logger, dispatcher, publicUrl: 'http://127.0.0.1/' });
  repoRef = engine.repo;
  poller = createPoller({
    settings,
    sites: inventory.sites,
    ping: createPingProbe(settings.poller.ping, { logger }),
    snmp: createSnmpProbe(settings.poller.snmp, { logger }),
    clock: systemClock,
    logger,
    onCheck: async (batch) => {
      checks.push(...batch);
      const out = await engine.ingest(batch);
      judged.push(...out.states.map((s) => ({ site: s.site, state: s.state })));
    },
  });
}, 120_000);

afterAll(async () => {
  await engine?.drain();
  await dispatcher?.close();
  db?.close();
  await fleet?.close();
  await hook?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('network faults through poller + engine', () => {
  it('lossy never DOWN, slow and half-walked agents DEGRADED, a dark commune one incident', async () => {
    const durations: number[] = [];
    for (let c = 1; c <= CYCLES; c++) {
      if (c === DARK_FROM) for (const s of DARK) await fleet.setFault(s, { kind: 'down' });
      if (c === DARK_TO + 1) for (const s of DARK) await fleet.setFault(s, null);
      midwalkAllowed = fleet.router(MIDWALK).agent.stats.requests + 1;
      const st = await poller.runCycle(c);
      durations.push(st.duration_ms);
      // the re-check of this cycle may poll the mid-walk agent again: give it its first request again
    }
    await engine.drain();
    await new Promise((r) => setTimeout(r, 500));

    const stateOf = (s: string) => engine.states().get(s)?.state;
    const downJudged = (ids: string[]) => judged.filter((j) => ids.includes(j.site) && j.state === 'DOWN').length;
    const lossyChecks = checks.filter((c) => LOSSY.includes(c.site));
    const lossyLost = lossyChecks.reduce((a, c) => a + (c.ping ? c.ping.sent - c.ping.received : 0), 0);
    const lossySent = lossyChecks.reduce((a, c) => a + (c.ping?.sent ?? 0), 0);
    const healthy = checks.filter((c) => ![...LOSSY, ...SLOW, MIDWALK, ...DARK].includes(c.site) && c.snmp);
    const healthySnmpMax = Math.max(...healthy.map((c) => c.snmp!.duration_ms));
    const slowChecks = checks.filter((c) => SLOW.includes(c.site));
    const midChecks = checks.filter((c) => c.site === MIDWALK);
    const incidents = engine.repo.listIncidents({});
    // what people see: incidents not folded into another one
    const topLevel = incidents.filter((i) => i.merged_into === null);
    const commune = topLevel.filter((i) => i.site_id === null);
    const siteDown = topLevel.filter((i) => i.kind === 'site-down' || i.kind === 'upstream-down').map((i) => i.site_id);
    const folded = incidents.filter((i) => i.site_id !== null && DARK.includes(i.site_id));
    const darkHooks = hook.bodies.filter((h) => h.site === null || DARK.includes(h.site.id));
    const falseDown = downJudged(LOSSY) + downJudged(SLOW) + downJudged([MIDWALK]);
    process.stdout.write(
      `FAULTS network: sites=24 cycles=${CYCLES} lossy_checks=${lossyChecks.length} lossy_ping_loss_pct=${((100 * lossyLost) / lossySent).toFixed(1)} false_down=${falseDown} ` +
      `slow_state=${SLOW.map(stateOf).join(',')} midwalk_state=${stateOf(MIDWALK)} healthy_snmp_max_ms=${healthySnmpMax} max_cycle_ms=${Math.max(...durations)} ` +
      `dark_commune_incidents=${commune.length} folded_site_incidents=${folded.length} dark_commune_notices=${darkHooks.map((h) => `${h.event}:${h.kind}`).join('+')} ` +
      `incidents=${topLevel.map((i) => `${i.kind}:${i.site_id ?? 'commune'}`).join(',')}\n`,
    );

    // lossy: the loss was real, and never a DOWN
    expect(lossyLost / lossySent).toBeGreaterThan(0.15);
    expect(downJudged(LOSSY)).toBe(0);
    for (const s of LOSSY) expect(siteDown).not.toContain(s);
    // slow: SNMP timed out every time, ping answered, DEGRADED and never DOWN; nobody else waited
    expect(slowChecks.every((c) => c.snmp?.status === 'timeout' && (c.ping?.received ?? 0) > 0)).toBe(true);
    for (const s of SLOW) expect(stateOf(s)).toBe('DEGRADED');
    expect(downJudged(SLOW)).toBe(0);
    expect(healthySnmpMax).toBeLessThan(SLOW_MS / 2);
    expect(Math.max(...durations)).toBeLessThan(SLOW_MS * 2);
    // stopped mid-walk: the first request answered, the walk did not complete; DEGRADED, not DOWN
    expect(midChecks.length).toBeGreaterThanOrEqual(CYCLES);
    expect(midChecks.every((c) => c.snmp !== null && c.snmp.status !== 'ok')).toBe(true);
    expect(stateOf(MIDWALK)).toBe('DEGRADED');
    expect(downJudged([MIDWALK])).toBe(0);
    // the dark commune: one firing and one resolved notice for it, no per-site alerts
    const firing = darkHooks.filter((h) => h.event === 'firing');
    const resolved = darkHooks.filter((h) => h.event === 'resolved');
    expect(firing).toHaveLength(1);
    expect(['power-cut-suspected', 'upstream-down']).toContain(firing[0]!.kind);
    expect(firing[0]!.site).toBeNull();
    expect(resolved).toHaveLength(1);
    expect(commune).toHaveLength(1);
    expect(commune[0]!.kind).toBe(firing[0]!.kind);
    for (const s of DARK) expect(siteDown, 'a dark site raised an alert of its own').not.toContain(s);
    // per-site incidents of the dark sites were folded into the commune one, never notified
    for (const f of folded) expect(f, f.site_id!).toMatchObject({ merged_into: commune[0]!.id, notified_at: null });
    for (const s of DARK) expect(stateOf(s)).toBe('UP');
  }, 240_000);
});
