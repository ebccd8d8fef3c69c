/**
 * The poll cycle: one full check of every site this process owns.
 *
 *  1. ping every site at once (the ping probe batches fping processes) and, in parallel,
 *     SNMP every SNMP site under a global concurrency cap, each request started at its slot of
 *     the spread window, each site under its own deadline (one slow or dead agent never
 *     delays the others);
 *  2. counters → rates (CounterTracker), WAN picked, one SiteCheck per site, handed to `onCheck`;
 *  3. the FAST RE-CHECK: sites whose check failed (every ping lost, or SNMP timed out on an SNMP
 *     site) are probed again after `poller.recheck.delay_s` and a second SiteCheck with
 *     `recheck: true` is handed on, so a DOWN is confirmed within one cycle and one lost burst
 *     is not a DOWN.
 *
 * A failing site is data, never an exception: runCycle only rejects if `onCheck` does.
 */
import type { Settings, Site } from '../config/schema.js';
import type { PingResult, SiteCheck, SnmpResult } from '../core/types.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { errorMessage } from '../core/errors.js';
import type { PingProbe, SnmpProbe, SnmpPollWhat } from '../probes/index.js';
import { CounterTracker, pickWanInterface } from '../metrics/counters.js';
import { selectShard, siteDeadlineMs, spreadOffsets } from './shard.js';

export { selectShard, spreadOffsets, siteDeadlineMs } from './shard.js';

export interface PollerDeps {
  settings: Settings;
  /** The whole inventory; the poller keeps the sites of `settings.poller.shard`. */
  sites: Site[];
  ping: PingProbe;
  snmp: SnmpProbe;
  clock: Clock;
  logger: Logger;
  onCheck: (checks: SiteCheck[]) => void | Promise<void>;
  tracker?: CounterTracker;
}

export interface CycleOptions {
  /** Ping this cycle (default true). */
  ping?: boolean;
  /** SNMP this cycle (default true); `system`/`interfaces` choose what (default both). */
  snmp?: boolean;
  system?: boolean;
  interfaces?: boolean;
  /** Window over which SNMP requests are spread (ms). Default: half the SNMP interval when `poller.spread` is on, else 0. */
  spreadMs?: number;
  /** Seconds the rates are computed over (for the tracker's gap rule); default the interfaces interval. */
  interval_s?: number;
  /** Do the fast re-check (default true). */
  recheck?: boolean;
}

export interface CycleStats {
  cycle: number;
  started: number;
  duration_ms: number;
  sites: number;
  checks: number;
  /** Sites whose first check failed and were re-checked. */
  rechecked: number;
  /** Sites still failed after the re-check. */
  failed: number;
  /** Sites that recovered on the re-check (a lost burst, not a DOWN). */
  recovered: number;
  unknown: number;
  snmp_timeouts: number;
  snmp_errors: number;
}

export interface Poller {
  readonly sites: Site[];
  runCycle(cycle: number, opts?: CycleOptions): Promise<CycleStats>;
}

/** Did this check fail (a candidate for DOWN)? Ping: every packet lost. SNMP: timed out. */
export function checkFailed(c: Pick<SiteCheck, 'ping' | 'snmp' | 'unknown'>): boolean {
  if (c.unknown) return false;
  const pingLost = c.ping !== null && c.ping.status !== 'error' && c.ping.received === 0;
  const snmpTimeout = c.snmp !== null && c.snmp.status === 'timeout';
  return pingLost || snmpTimeout;
}

/** The site answered something: a ping reply or an SNMP response. (JSON `reachable`.) */
export function isReachable(c: Pick<SiteCheck, 'ping' | 'snmp'>): boolean {
  return (c.ping !== null && c.ping.received > 0) || (c.snmp !== null && c.snmp.status === 'ok');
}

class Limiter {
  private active = 0;
  private readonly q: Array<() => void> = [];
  constructor(private readonly max: number) {}
  async run<R>(fn: () => Promise<R>): Promise<R> {
    if (this.active >= this.max) await new Promise<void>((r) => this.q.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.q.shift()?.();
    }
  }
}

function timeoutResult(site: Site, ts: number, ms: number): SnmpResult {
  return { site: site.id, ts, duration_ms: ms, status: 'timeout', reason: `no complete answer within the site deadline of ${ms} ms` };
}

export function createPoller(deps: PollerDeps): Poller {
  const { settings, clock } = deps;
  const log = deps.logger.child({ component: 'poller' });
  const sites = selectShard(deps.sites, settings.poller.shard);
  const tracker = deps.tracker ?? new CounterTracker();
  const limiter = new Limiter(settings.poller.snmp.concurrency);
  const snmpSettings = settings.poller.snmp;

  async function pingAll(targets: Site[]): Promise<Map<string, PingResult>> {
    const out = new Map<string, PingResult>();
    if (targets.length === 0) return out;
    const ts = clock.now();
    try {
      const res = await deps.ping.ping(targets.map((s) => ({ site: s.id, host: s.host })));
      for (const r of res) out.set(r.site, r);
    } catch (err) {
      // The probe promises not to throw; if it does, nobody was checked: UNKNOWN, not DOWN.
      log.error({ err: errorMessage(err) }, 'ping probe failed');
      for (const s of targets) {
        out.set(s.id, {
          site: s.id, ts, status: 'error', reason: `ping probe failed: ${errorMessage(err)}`, sent: 0, received: 0,
          loss_pct: 100, rtt_min_ms: null, rtt_avg_ms: null, rtt_max_ms: null, jitter_ms: null,
        });
      }
    }
    return out;
  }

  async function snmpOne(site: Site, what: SnmpPollWhat, startAt: number): Promise<SnmpResult> {
    const wait = startAt - clock.now();
    if (wait > 0) await clock.sleep(wait);
    return limiter.run(async () => {
      const ts = clock.now();
      const deadline = siteDeadlineMs(snmpSettings, what);
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          deps.snmp.poll(site, what),
          new Promise<SnmpResult>((resolve) => {
            timer = setTimeout(() => resolve(timeoutResult(site, ts, deadline)), deadline);
            timer.unref?.();
          }),
        ]);
      } catch (err) {
        return { site: site.id, ts, duration_ms: clock.now() - ts, status: 'error', reason: `snmp probe failed: ${errorMessage(err)}` };
      } finally {
        clearTimeout(timer);
      }
    });
  }

  async function snmpAll(targets: Site[], what: SnmpPollWhat, spreadMs: number): Promise<Map<string, SnmpResult>> {
    const t0 = clock.now();
    const offsets = spreadOffsets(targets.length, spreadMs);
    const res = await Promise.all(targets.map((s, i) => snmpOne(s, what, t0 + offsets[i]!)));
    return new Map(res.map((r) => [r.site, r]));
  }

  function buildCheck(
    site: Site, cycle: number, ts: number, recheck: boolean, ping: PingResult | null, snmp: SnmpResult | null, interval_s: number,
  ): SiteCheck {
    const upd = snmp ? tracker.update(site.id, snmp, interval_s) : { uptime_s: null, rebooted: false, rebooted_at: null, rates: [] };
    const wan = snmp?.status === 'ok' && snmp.interfaces ? pickWanInterface(snmp.interfaces, site.wan_interface) : null;
    let unknown: string | undefined;
    if (ping && ping.status === 'error' && snmp?.status !== 'ok') unknown = ping.reason ?? 'ping probe error';
    return {
      site: site.id, ts, cycle, recheck, ...(unknown ? { unknown } : {}),
      ping, snmp,
      uptime_s: upd.uptime_s, rebooted: upd.rebooted, rebooted_at: upd.rebooted_at,
      interfaces: upd.rates, wan,
    };
  }

  async function probe(
    targets: Site[], doPing: boolean, what: SnmpPollWhat | null, spreadMs: number,
  ): Promise<{ pings: Map<string, PingResult>; snmps: Map<string, SnmpResult> }> {
    const snmpSites = what ? targets.filter((s) => s.snmp !== false) : [];
    const [pings, snmps] = await Promise.all([
      doPing ? pingAll(targets) : Promise.resolve(new Map<string, PingResult>()),
      what ? snmpAll(snmpSites, what, spreadMs) : Promise.resolve(new Map<string, SnmpResult>()),
    ]);
    return { pings, snmps };
  }

  return {
    sites,
    async runCycle(cycle, opts = {}) {
      const started = clock.now();
      const doPing = opts.ping ?? true;
      const doSnmp = opts.snmp ?? true;
      const what: SnmpPollWhat | null = doSnmp
        ? { system: opts.system ?? true, interfaces: opts.interfaces ?? true }
        : null;
      const interval_s = opts.interval_s ?? snmpSettings.interfaces_interval_s;
      const snmpInterval = what?.interfaces ? snmpSettings.interfaces_interval_s : snmpSettings.system_interval_s;
      const spreadMs = opts.spreadMs ?? (settings.poller.spread ? Math.floor(snmpInterval * 1000 * 0.5) : 0);

      const first = await probe(sites, doPing, what, spreadMs);
      const checks = sites.map((s) =>
        buildCheck(s, cycle, started, false, first.pings.get(s.id) ?? null, first.snmps.get(s.id) ?? null, interval_s),
      );
      await deps.onCheck(checks);

      const stats: CycleStats = {
        cycle, started, duration_ms: 0, sites: sites.length, checks: checks.length, rechecked: 0, failed: 0, recovered: 0,
        unknown: checks.filter((c) => c.unknown).length,
        snmp_timeouts: checks.filter((c) => c.snmp?.status === 'timeout').length,
        snmp_errors: checks.filter((c) => c.snmp?.status === 'error').length,
      };

      const failedSites = sites.filter((_, i) => checkFailed(checks[i]!));
      if (failedSites.length > 0 && opts.recheck !== false) {
        stats.rechecked = failedSites.length;
        log.info({ cycle, sites: failedSites.length, delay_s: settings.poller.recheck.delay_s }, 'fast re-check of failed sites');
        await clock.sleep(settings.poller.recheck.delay_s * 1000);
        const ts2 = clock.now();
        // Ping and a system GET (cheap, and enough to confirm): no spread, it is a handful of sites.
        const again = await probe(failedSites, doPing || what !== null, what ? { system: true, interfaces: false } : null, 0);
        const rechecks = failedSites.map((s) =>
          buildCheck(s, cycle, ts2, true, again.pings.get(s.id) ?? null, again.snmps.get(s.id) ?? null, interval_s),
        );
        await deps.onCheck(rechecks);
        stats.checks += rechecks.length;
        stats.failed = rechecks.filter((c) => checkFailed(c)).length;
        stats.recovered = rechecks.length - stats.failed;
      }
      stats.duration_ms = clock.now() - started;
      log.debug({ ...stats }, 'cycle done');
      return stats;
    },
  };
}
