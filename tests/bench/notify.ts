/**
 * Phase 3: time to notify, with faults made for real.
 *
 * A network namespace `pwbench<n>` joined to the host by a veth pair holds the faulted sites: each
 * has its own address on the namespace side of the veth, and an snmpd inside the namespace answers
 * SNMP on every one of them. They are polled with the rest of the (loopback) fleet by the real
 * poller, judged by the real alert engine (SQLite incidents), and notified through the real
 * dispatcher and webhook notifier to a webhook receiver on loopback.
 *
 * - DOWN sites: at a random moment each, `iptables -I INPUT -d ADDR -j DROP` inside the namespace
 *   (ICMP and SNMP lost). Time to notify = webhook `site-down` firing arrival − rule inserted.
 * - LOSSY sites: from the start, `-m statistic --mode random --probability 0.3 -j DROP` on their
 *   traffic. Every DOWN state the engine gives them is a false DOWN.
 *
 * Each DOWN site is alone in its commune: a lone outage is notified at once. PAIRS: in each of
 * `pairs` communes of three sites, two fail 60 s apart (the third stays up): the case the grouping
 * wait is about (before alerting.group_wait, the second was held until commune_outage.window after
 * the first failure, ~3 min; now no notice waits more than group_wait, 30 s).
 * Only addresses inside the namespace this phase creates are faulted; it is deleted at the end.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Settings, Site } from '../../src/config/schema.js';
import { siteWithDefaults } from '../../src/config/defaults.js';
import type { Logger } from '../../src/core/logger.js';
import { createDispatcher } from '../../src/alerting/notifiers/dispatcher.js';
import { createWebhook } from '../../src/alerting/notifiers/webhook.js';
import { freeUdpPorts } from '../helpers/ports.js';
import { startWebhook } from '../helpers/webhook.js';
import { COMMUNITY, startAgent, stopAgent, type Agent } from './fleet.js';
import { createPipeline } from './pipeline.js';
import { median } from './throughput.js';

const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface NotifyOptions {
  settings: Settings;
  /** Healthy loopback sites polled alongside. */
  fleet: Site[];
  down: number;
  /** Communes where two sites fail 60 s apart. */
  pairs?: number;
  lossy: number;
  /** Seconds between cycle starts. */
  intervalS: number;
  /** Faults are injected at random moments over this many seconds, one per equal slice (after 2 warm-up cycles). */
  spreadS: number;
  lossProbability: number;
  dataDir: string;
  /** Names of the namespace and veth pair start with this (default `pw`). */
  nsPrefix?: string;
  logger: Logger;
  progress: (line: string) => void;
}

export interface NotifyResult {
  interval_s: number;
  recheck_delay_s: number;
  down_after: number;
  fleet_sites: number;
  down_sites: number;
  notified: number;
  time_to_notify_s: { median: number; max: number; min: number; all: number[] } | null;
  /** Where the time went: fault → start of the next cycle (waiting), and that cycle start → notification (detecting, re-checking, notifying). */
  wait_for_cycle_s: { median: number; max: number } | null;
  /** Two failures in one commune 60 s apart: time to notify of the first and of the second of each pair (also in time_to_notify_s). */
  pairs?: { pairs: number; gap_s: number; notified: number; first_s: { median: number; max: number } | null; second_s: { median: number; max: number } | null };
  cycle_start_to_notify_s: { median: number; max: number } | null;
  lossy_sites: number;
  loss_probability: number;
  lossy_checks: number;
  lossy_run_s: number;
  lossy_site_hours: number;
  false_downs: number;
  false_down_notices: number;
  cycles: number;
  cycle_wall_s_max: number;
  /** Expected false DOWNs per lossy site per hour at this interval if losses were independent: p^(count·down_after) per check. */
  expected_false_downs_per_site_hour: number;
}

interface Net { ns: string; hostIf: string; prefix: string }

function pickSubnet(): string {
  const routes = sh('ip', ['-4', 'route', 'show', 'table', 'all']);
  for (let i = 0; i < 50; i++) {
    const prefix = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}`;
    if (!routes.includes(`${prefix}.`)) return prefix;
  }
  throw new Error('no free 10.x.y.0/24 subnet found for the bench namespace');
}

function createNet(count: number, namePrefix = 'pw'): Net {
  const n = `${process.pid % 10000}`;
  const ns = `${namePrefix}bench${n}`;
  const hostIf = `${namePrefix.slice(0, 3)}b${n}a`; // interface names: at most 15 bytes
  const nsIf = `${namePrefix.slice(0, 3)}b${n}b`;
  const prefix = pickSubnet();
  try { sh('ip', ['netns', 'del', ns]); } catch { /* not there */ }
  sh('ip', ['netns', 'add', ns]);
  try {
    sh('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    sh('ip', ['link', 'set', nsIf, 'netns', ns]);
    sh('ip', ['addr', 'add', `${prefix}.1/24`, 'dev', hostIf]);
    sh('ip', ['link', 'set', hostIf, 'up']);
    for (let i = 0; i < count; i++) sh('ip', ['-n', ns, 'addr', 'add', `${prefix}.${10 + i}/24`, 'dev', nsIf]);
    sh('ip', ['-n', ns, 'link', 'set', nsIf, 'up']);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  } catch (err) {
    destroyNet({ ns, hostIf, prefix });
    throw err;
  }
  return { ns, hostIf, prefix };
}

function destroyNet(net: Net): void {
  try { sh('ip', ['netns', 'del', net.ns]); } catch { /* gone */ }
  try { sh('ip', ['link', 'del', net.hostIf]); } catch { /* gone with the namespace */ }
}

function iptablesNs(net: Net, args: string[]): void {
  sh('ip', ['netns', 'exec', net.ns, 'iptables', '-w', ...args]);
}

interface Notice { kind: string; event: string; site: { id: string } | null; folded?: Array<{ id: string }> }

export async function runNotify(o: NotifyOptions): Promise<NotifyResult> {
  const pairs = o.pairs ?? 0;
  const PAIR_GAP_MS = 60_000;
  const total = o.down + o.lossy + 3 * pairs;
  const net = createNet(total, o.nsPrefix);
  const onExit = () => destroyNet(net); // a crashed run must not leave the namespace behind
  process.once('exit', onExit);
  let agent: Agent | null = null;
  const hook = await startWebhook<Notice>({ status: 204 });
  const received = hook.deliveries; // each with the time it arrived (`at`)
  const dispatcher = createDispatcher({
    notifiers: [createWebhook({ type: 'webhook', name: 'bench', url: `${hook.url}/hook`, secret: 'bench-secret', timeout_ms: 5000, attempts: 3 }, { logger: o.logger })],
    logger: o.logger,
  });
  let pipe: Awaited<ReturnType<typeof createPipeline>> | null = null;
  try {
    const [snmpPort] = (await freeUdpPorts(1)) as [number];
    const nsSites: Site[] = Array.from({ length: total }, (_, i) => {
      const p = i - o.down - o.lossy; // pair communes come last: a, b fail 60 s apart, c stays up
      const role = i < o.down ? 'down' : p < 0 ? 'lossy' : `pair${Math.floor(p / 3)}${'abc'[p % 3]}`;
      return siteWithDefaults({
        id: `${role}-${String(i).padStart(3, '0')}`, name: `Bench ${role} ${i}`, kind: 'info_point',
        province: 'PN', group: 'GN', commune: p < 0 ? `CN${i}` : `CP${Math.floor(p / 3)}`,
        host: `${net.prefix}.${10 + i}`, snmp: { version: '2c', community: COMMUNITY, port: snmpPort }, uplink: 'fibre',
      });
    });
    const nsDir = path.join(o.dataDir, 'ns-snmpd');
    agent = await startAgent(nsSites.map((s) => `udp:${s.host}:${snmpPort}`), nsDir, net.ns);
    const lossySites = nsSites.slice(o.down, o.down + o.lossy);
    const pairSites = Array.from({ length: pairs }, (_, k) => [nsSites[o.down + o.lossy + 3 * k]!, nsSites[o.down + o.lossy + 3 * k + 1]!] as const);
    const downSites = [...nsSites.slice(0, o.down), ...pairSites.flat()];
    const lossyIds = new Set(lossySites.map((s) => s.id));

    let lossyChecks = 0;
    let falseDowns = 0;
    const lossyDown = new Set<string>();
    pipe = await createPipeline({
      settings: o.settings, sites: [...o.fleet, ...nsSites], dataDir: o.dataDir, logger: o.logger, store: false, alerting: true, dispatcher,
      onChecks: (checks, out) => {
        for (const c of checks) if (lossyIds.has(c.site)) lossyChecks += 1;
        for (const s of out?.states ?? []) {
          if (!lossyIds.has(s.site)) continue;
          if (s.state === 'DOWN' && !lossyDown.has(s.site)) { lossyDown.add(s.site); falseDowns += 1; }
          if (s.state !== 'DOWN') lossyDown.delete(s.site);
        }
      },
    });
    const engine = pipe.engine!;
    const ticker = setInterval(() => void engine.tick().catch(() => undefined), 2000);
    ticker.unref();

    // 30 % loss on the lossy sites' traffic, from the start.
    for (const s of lossySites) {
      iptablesNs(net, ['-A', 'INPUT', '-d', s.host!, '-m', 'statistic', '--mode', 'random', '--probability', String(o.lossProbability), '-j', 'DROP']);
    }
    const t0 = Date.now();
    const warmMs = 2 * o.intervalS * 1000;
    // Stratified random moments: fault i falls in the i-th of n equal slices of the window, at a
    // random point of it. Faults still land at every phase of the cycle (as real ones do), but
    // a run's median wait for the next cycle is not left to the luck of 10–30 draws.
    const slices = o.down;
    const faultAt = new Map(downSites.slice(0, o.down).map((s, i) => [s.id, t0 + warmMs + ((i + Math.random()) / slices) * o.spreadS * 1000]));
    pairSites.forEach(([a, b], k) => {
      const at = t0 + warmMs + ((k + Math.random()) / pairs) * o.spreadS * 1000;
      faultAt.set(a.id, at);
      faultAt.set(b.id, at + PAIR_GAP_MS);
    });
    const injected = new Map<string, number>();
    const faultTimers = downSites.map((s) => setTimeout(() => {
      iptablesNs(net, ['-I', 'INPUT', '-d', s.host!, '-j', 'DROP']);
      injected.set(s.id, Date.now());
    }, faultAt.get(s.id)! - Date.now()));

    const notifiedAt = () => {
      const m = new Map<string, number>();
      for (const r of received) {
        if (r.body.kind !== 'site-down' || r.body.event !== 'firing' || !r.body.site) continue;
        // a message speaks for its site and for the sites of its commune that failed with it
        for (const id of [r.body.site.id, ...(r.body.folded ?? []).map((f) => f.id)]) if (!m.has(id)) m.set(id, r.at);
      }
      return m;
    };
    const deadline = t0 + warmMs + o.spreadS * 1000 + (pairs ? PAIR_GAP_MS : 0) + Math.max(90, 3 * o.intervalS) * 1000;
    let cycle = 0;
    let maxWall = 0;
    const cycleStarts: number[] = [];
    while (Date.now() < deadline) {
      const start = Date.now();
      cycleStarts.push(start);
      cycle += 1;
      const st = await pipe.poller.runCycle(cycle, { interval_s: o.settings.poller.snmp.interfaces_interval_s, spreadMs: 0 });
      maxWall = Math.max(maxWall, st.duration_ms / 1000);
      const n = notifiedAt();
      const done = downSites.filter((s) => n.has(s.id)).length;
      o.progress(`notify cycle ${cycle}: ${(st.duration_ms / 1000).toFixed(1)} s, faults injected ${injected.size}/${downSites.length}, notified ${done}, false DOWNs ${falseDowns}, rechecked ${st.rechecked}`);
      if (injected.size === downSites.length && done === downSites.length && Date.now() - t0 >= warmMs + o.spreadS * 1000 + (pairs ? PAIR_GAP_MS : 0)) break;
      const wait = o.intervalS * 1000 - (Date.now() - start);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    for (const t of faultTimers) clearTimeout(t);
    clearInterval(ticker);
    await engine.tick().catch(() => undefined);
    const runS = (Date.now() - t0) / 1000;
    const n = notifiedAt();
    const hit = downSites.filter((s) => n.has(s.id) && injected.has(s.id));
    const delays = hit.map((s) => (n.get(s.id)! - injected.get(s.id)!) / 1000);
    const nextStart = (t: number) => cycleStarts.find((c) => c >= t) ?? t;
    const waits = hit.map((s) => (nextStart(injected.get(s.id)!) - injected.get(s.id)!) / 1000);
    const detects = hit.map((s) => (n.get(s.id)! - nextStart(injected.get(s.id)!)) / 1000);
    const mm = (xs: number[]) => (xs.length ? { median: round(median(xs)), max: round(Math.max(...xs)) } : null);
    const delayOf = (s: Site) => (n.has(s.id) && injected.has(s.id) ? [(n.get(s.id)! - injected.get(s.id)!) / 1000] : []);
    const falseNotices = received.filter((r) => r.body.kind === 'site-down' && r.body.event === 'firing' && r.body.site && lossyIds.has(r.body.site.id)).length;
    const p = o.lossProbability;
    const perCheck = p ** (o.settings.poller.ping.count * o.settings.alerting.down_after);
    return {
      interval_s: o.intervalS,
      recheck_delay_s: o.settings.poller.recheck.delay_s,
      down_after: o.settings.alerting.down_after,
      fleet_sites: o.fleet.length + total,
      down_sites: downSites.length,
      notified: delays.length,
      time_to_notify_s: delays.length
        ? { median: round(median(delays)), max: round(Math.max(...delays)), min: round(Math.min(...delays)), all: delays.map((d) => round(d, 2)).sort((a, b) => a - b) }
        : null,
      wait_for_cycle_s: mm(waits),
      ...(pairs ? {
        pairs: {
          pairs, gap_s: PAIR_GAP_MS / 1000, notified: pairSites.flat().filter((s) => n.has(s.id)).length,
          first_s: mm(pairSites.flatMap(([a]) => delayOf(a))), second_s: mm(pairSites.flatMap(([, b]) => delayOf(b))),
        },
      } : {}),
      cycle_start_to_notify_s: mm(detects),
      lossy_sites: lossySites.length,
      lossy_site_hours: round((lossySites.length * runS) / 3600, 2),
      loss_probability: p,
      lossy_checks: lossyChecks,
      lossy_run_s: Math.round(runS),
      false_downs: falseDowns,
      false_down_notices: falseNotices,
      cycles: cycle,
      cycle_wall_s_max: round(maxWall),
      expected_false_downs_per_site_hour: Number((perCheck * (3600 / o.intervalS)).toPrecision(3)),
    };
  } finally {
    await pipe?.close().catch(() => undefined);
    await dispatcher.close().catch(() => undefined);
    await hook.close();
    if (agent) await stopAgent(agent).catch(() => undefined);
    process.off('exit', onExit);
    destroyNet(net);
    fs.rmSync(path.join(o.dataDir, 'ns-snmpd'), { recursive: true, force: true });
  }
}
