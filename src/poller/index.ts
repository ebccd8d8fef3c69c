/**
 * The poll cycle: one full check of every site this process owns.
 *
 *  1. ping every site at once (the ping probe batches fping processes) and, in parallel,
 *     SNMP every SNMP site under a global concurrency cap, each request started at its slot of
 *     the spread window, each site under its own deadline (one slow or dead agent never
 *     delays the others);
 *  2. counters → rates (CounterTracker), WAN picked, one SiteCheck per site, handed to `onCheck`
 *     AS SOON AS THAT SITE IS DONE (CheckEmitter: small batches, ancestors first), not at the end
 *     of the cycle. A site whose every ping was lost is done when its pings are in: its SNMP poll
 *     is not started if it had not started yet (status 'unreachable'), and not waited for if it
 *     had (an answer that lands before the re-check is handed on rides with the re-check);
 *  3. the FAST RE-CHECK: sites whose check failed (every ping lost, or SNMP timed out on an SNMP
 *     site) are probed again `poller.recheck.delay_s` after THEIR failure (failures within
 *     `RECHECK_GATHER_MS` share one fping run) and a second SiteCheck with `recheck: true` is
 *     handed on, so a DOWN is confirmed within seconds and one lost burst is not a DOWN. A
 *     ping-dead site is re-checked by ping alone (alerting judges DOWN on pings); a site whose
 *     SNMP timed out while its ping answered, by ping + an SNMP system GET.
 *
 * A failing site is data, never an exception: runCycle only rejects if `onCheck` does. The
 * cycle resolves when every check is handed on and every probe it started has settled.
 */
import type { Settings, Site } from '../config/schema.js';
import { isPolled, type PingResult, type PolledSite, type SiteCheck, type SnmpResult } from '../core/types.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { errorMessage } from '../core/errors.js';
import { Limiter } from '../core/limiter.js';
import type { PingProbe } from '../probes/ping/index.js';
import type { SnmpProbe, SnmpPollWhat } from '../probes/snmp/index.js';
import { CounterTracker, pickWanInterface } from '../metrics/counters.js';
import { ancestors as ancestorsOf } from '../inventory/graph.js';
import { CheckEmitter } from './emitter.js';
import { selectShard, siteDeadlineMs, spreadOffsets } from './shard.js';

/** Failures within this window share one re-check run (one fping process, not one per site). */
export const RECHECK_GATHER_MS = 100;
/**
 * Spread SNMP polls start in groups, not one timer per site: one wake-up per group and the group's
 * answers read in few passes of the event loop. A window is cut into about SPREAD_GROUPS groups,
 * SPREAD_TICK_MS apart at most and 100 ms at least: each group is a wake-up, an alerting batch and a
 * share of an InfluxDB write, so fewer groups cost less (docs/performance.md).
 */
export const SPREAD_TICK_MS = 1000;
export const SPREAD_GROUPS = 30;
export function spreadTickMs(windowMs: number): number {
  return Math.min(SPREAD_TICK_MS, Math.max(100, Math.round(windowMs / SPREAD_GROUPS / 100) * 100));
}
/** Healthy checks that become ready within this window are handed on in one batch. */
export const EMIT_LINGER_MS = 1000;
/** ... or as soon as this many are held (a burst: back-to-back cycles, the first checks of a cycle). */
export const EMIT_MAX_BATCH = 250;
/** A check that may change an alert (failed, a re-check, not clean) leaves within this: time to notify. */
export const EMIT_URGENT_MS = 100;

/** Nothing in this check can open or resolve an alert soon: it may wait for its batch. */
export function isCleanCheck(c: SiteCheck): boolean {
  return !c.recheck && !c.unknown && !c.rebooted && c.ping !== null && c.ping.status === 'ok' && c.ping.loss_pct === 0 &&
    (c.snmp === null || c.snmp.status === 'ok');
}

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
  /** SNMP polls not started because every ping of the site was lost (the re-check decides). */
  snmp_skipped: number;
  /** SNMP answers that landed after their site's checks were handed on (not used: see README). */
  snmp_late: number;
  /** Batches handed to onCheck. */
  batches: number;
}

export interface Poller {
  readonly sites: PolledSite[];
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

function timeoutResult(site: PolledSite, ts: number, ms: number): SnmpResult {
  return { site: site.id, ts, duration_ms: ms, status: 'timeout', reason: `no complete answer within the site deadline of ${ms} ms` };
}

export function createPoller(deps: PollerDeps): Poller {
  const { settings, clock } = deps;
  const log = deps.logger.child({ component: 'poller' });
  // push-only sites (no host) report in: src/push judges them, the poller never sees them
  const sites = selectShard(deps.sites, settings.poller.shard).filter(isPolled);
  const tracker = deps.tracker ?? new CounterTracker();
  // global SNMP cap: FIFO, a ring-buffer waiting line (50,000 waiters, O(1) each)
  const limiter = new Limiter(settings.poller.snmp.concurrency);
  const snmpSettings = settings.poller.snmp;
  // ancestors among the sites this process owns (a shard owns whole parent trees)
  const byId = new Map(sites.map((s) => [s.id, s]));
  const ancestors = new Map<string, string[]>();
  for (const s of sites) {
    const a = ancestorsOf(byId, s.id);
    if (a.length) ancestors.set(s.id, a);
  }

  const pingErrorResult = (site: string, ts: number, err: unknown): PingResult => ({
    site, ts, status: 'error', reason: `ping probe failed: ${errorMessage(err)}`, sent: 0, received: 0,
    loss_pct: 100, rtt_min_ms: null, rtt_avg_ms: null, rtt_max_ms: null, jitter_ms: null,
  });

  /** Ping `targets`; `each` is called once per target as its fping batch finishes. Never rejects. */
  async function pingAll(targets: PolledSite[], each: (r: PingResult) => void, period_ms?: number): Promise<void> {
    if (targets.length === 0) return;
    const ts = clock.now();
    const got = new Set<string>();
    try {
      await deps.ping.ping(targets.map((s) => ({ site: s.id, host: s.host })), {
        ...(period_ms ? { period_ms } : {}),
        onResults: (rs) => { for (const r of rs) { if (!got.has(r.site)) { got.add(r.site); each(r); } } },
      }).then((rs) => { for (const r of rs) { if (!got.has(r.site)) { got.add(r.site); each(r); } } });
    } catch (err) {
      // The probe promises not to throw; if it does, who was not checked is UNKNOWN, not DOWN.
      log.error({ err: errorMessage(err) }, 'ping probe failed');
      for (const s of targets) if (!got.has(s.id)) { got.add(s.id); each(pingErrorResult(s.id, ts, err)); }
    }
  }

  /** One site's SNMP poll at its slot, under the global cap and the site deadline; null when `skip()` says so before it starts. */
  async function snmpOne(site: PolledSite, what: SnmpPollWhat, startAt: number, skip: () => boolean, onStart?: () => void): Promise<SnmpResult | null> {
    const wait = startAt - clock.now();
    if (wait > 0) await clock.sleep(wait);
    if (skip()) return null;
    return limiter.run(async () => {
      if (skip()) return null;
      onStart?.();
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

  function buildCheck(
    site: PolledSite, cycle: number, ts: number, recheck: boolean, ping: PingResult | null, snmp: SnmpResult | null, interval_s: number,
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

  const pingDead = (p: PingResult | null | undefined) => !!p && p.status !== 'error' && p.received === 0;

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
      const doRecheck = opts.recheck !== false;
      const delayMs = settings.poller.recheck.delay_s * 1000;

      const emitter = new CheckEmitter({ onCheck: deps.onCheck, ancestors, lingerMs: EMIT_LINGER_MS, urgentMs: EMIT_URGENT_MS, maxBatch: EMIT_MAX_BATCH, isUrgent: (c) => !isCleanCheck(c) });
      const stats: CycleStats = {
        cycle, started, duration_ms: 0, sites: sites.length, checks: 0, rechecked: 0, failed: 0, recovered: 0,
        unknown: 0, snmp_timeouts: 0, snmp_errors: 0, snmp_skipped: 0, snmp_late: 0, batches: 0,
      };

      /**
       * Where each site is in this cycle. The results are held only until the site's first check is
       * built (and a late SNMP answer until its re-check): a cycle spread over 30 s must not keep
       * every site's results alive to its end (they would outlive the young generation and cost
       * full collections).
       */
      interface Run {
        site: PolledSite;
        wantsSnmp: boolean;
        pingIn: boolean;
        snmpIn: boolean;
        ping?: PingResult;
        snmp?: SnmpResult;
        /** Every ping of the first check was lost (kept after the results are released). */
        deadPing: boolean;
        firstDone: boolean;
        /** The first check left without its SNMP answer: a late answer rides with the re-check if it can. */
        snmpPendingForRecheck: boolean;
        snmpStarted: boolean;
        recheckDone: boolean;
      }
      const runs = new Map<string, Run>();
      for (const s of sites) {
        runs.set(s.id, { site: s, wantsSnmp: what !== null && s.snmp !== false, pingIn: false, snmpIn: false, deadPing: false, firstDone: false, snmpPendingForRecheck: false, snmpStarted: false, recheckDone: false });
      }
      const work: Array<Promise<unknown>> = [];

      // ---- re-checks: failures gathered for RECHECK_GATHER_MS share one run, delay_s after the first of them
      let gathering: Run[] | null = null;
      const recheckRun = async (group: Run[]) => {
        await clock.sleep(Math.max(0, delayMs));
        const ts2 = clock.now();
        const pingSites = group.map((r) => r.site);
        const snmpSites = what ? group.filter((r) => r.wantsSnmp && !r.deadPing).map((r) => r.site) : [];
        const pings = new Map<string, PingResult>();
        const snmps = new Map<string, SnmpResult>();
        // Ping and a system GET (cheap, and enough to confirm): no spread, it is a handful of sites.
        await Promise.all([
          doPing || what !== null ? pingAll(pingSites, (r) => pings.set(r.site, r), settings.poller.recheck.period_ms) : Promise.resolve(),
          Promise.all(snmpSites.map(async (s) => {
            const r = await snmpOne(s, { system: true, interfaces: false }, 0, () => false);
            if (r) snmps.set(s.id, r);
          })),
        ]);
        for (const r of group) {
          let snmp = snmps.get(r.site.id) ?? null;
          if (!snmp && r.snmpPendingForRecheck && r.snmp) { snmp = r.snmp; r.snmpPendingForRecheck = false; }
          r.snmp = undefined;
          r.recheckDone = true;
          const c = buildCheck(r.site, cycle, ts2, true, pings.get(r.site.id) ?? null, snmp, interval_s);
          stats.checks++;
          if (checkFailed(c)) stats.failed++;
          else stats.recovered++;
          emitter.push(c);
        }
      };
      const scheduleRecheck = (r: Run) => {
        stats.rechecked++;
        if (gathering) { gathering.push(r); return; }
        const group: Run[] = [r];
        gathering = group;
        work.push((async () => {
          await clock.sleep(RECHECK_GATHER_MS);
          gathering = null;
          log.debug({ cycle, sites: group.length, delay_s: settings.poller.recheck.delay_s }, 'fast re-check of failed sites');
          await recheckRun(group);
        })());
      };

      // ---- first checks
      const complete = (r: Run) => {
        if (r.firstDone) return;
        if (doPing && !r.pingIn) return;
        const dead = doPing && pingDead(r.ping);
        if (r.wantsSnmp && !r.snmpIn && !dead) return;
        r.firstDone = true;
        r.deadPing = dead;
        let snmp: SnmpResult | null = r.snmp ?? null;
        if (r.wantsSnmp && !r.snmpIn) {
          r.snmpPendingForRecheck = r.snmpStarted;
          snmp = {
            site: r.site.id, ts: clock.now(), duration_ms: 0, status: 'unreachable',
            reason: r.snmpStarted ? 'no answer yet, not awaited: every ping was lost' : 'not polled: every ping was lost',
          };
        }
        const c = buildCheck(r.site, cycle, started, false, r.ping ?? null, snmp, interval_s);
        r.ping = undefined;
        r.snmp = undefined;
        stats.checks++;
        if (c.unknown) stats.unknown++;
        if (c.snmp?.status === 'timeout') stats.snmp_timeouts++;
        if (c.snmp?.status === 'error') stats.snmp_errors++;
        emitter.push(c);
        if (doRecheck && checkFailed(c)) scheduleRecheck(r);
      };

      if (doPing) {
        work.push(pingAll(sites, (p) => {
          const r = runs.get(p.site);
          if (!r || r.pingIn) return;
          r.pingIn = true;
          r.ping = p;
          if (p.received > 0) emitter.clear(p.site);
          complete(r);
        }));
      }
      if (what) {
        const snmpRuns = [...runs.values()].filter((r) => r.wantsSnmp);
        const t0 = clock.now();
        const offsets = spreadOffsets(snmpRuns.length, spreadMs, spreadTickMs(spreadMs));
        const launch = (r: Run) => {
          work.push(snmpOne(r.site, what, 0, () => r.firstDone, () => { r.snmpStarted = true; }).then((res) => {
            if (res === null) { stats.snmp_skipped++; return; }
            if (!r.firstDone) { r.snmp = res; r.snmpIn = true; complete(r); return; }
            if (r.snmpPendingForRecheck && !r.recheckDone) { r.snmp = res; return; }
            stats.snmp_late++;
            log.debug({ site: r.site.id, status: res.status }, 'snmp answer landed after the site was handed on (not used)');
          }));
        };
        // One timer for the whole spread, and a site's poll (its promises, closures, deadline timer)
        // is created at its slot, not at cycle start: nothing waits 30 s in memory to be started
        // (such objects outlive young-generation collections and cost full GCs).
        work.push((async () => {
          for (let i = 0; i < snmpRuns.length; ) {
            const at = offsets[i]!;
            const wait = t0 + at - clock.now();
            if (wait > 0) await clock.sleep(wait);
            for (; i < snmpRuns.length && offsets[i] === at; i++) launch(snmpRuns[i]!);
          }
        })());
      }
      if (!doPing && !what) for (const r of runs.values()) complete(r);
      // Work may add more work (re-checks): settle until nothing new was started.
      for (let n = 0; n < work.length; ) {
        const upTo = work.length;
        await Promise.all(work.slice(n, upTo));
        n = upTo;
      }
      await emitter.drain();
      stats.batches = emitter.batches;
      stats.duration_ms = clock.now() - started;
      log.debug({ ...stats }, 'cycle done');
      return stats;
    },
  };
}
