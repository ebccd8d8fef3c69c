/**
 * The push source: turns accepted reports, and the silence of sites that stopped reporting, into
 * the same SiteCheck the poller hands on (src/core/types.ts), through the same counter math
 * (CounterTracker: wraps, reboots, gaps, implausible rates). No IO: the route (src/api/routes/push.ts)
 * authenticates and parses; the composition root hands the checks to the store and alerting.
 *
 * Silence: a push-only site with no report for interval_s × push.late_factor gets a failed check
 * (`push.status: 'silent'`), then one more per interval_s while it stays silent. The late factor is
 * its hysteresis (alerting confirms DOWN on the first silent check; see reducer.ts).
 * After a restart every site gets a full deadline from the start before it can be silent.
 */
import type { Settings, Site } from '../config/schema.js';
import type { SiteCheck, SnmpResult } from '../core/types.js';
import { CounterTracker, pickWanInterface } from '../metrics/counters.js';
import type { ParsedReport } from './report.js';

const TICKS_MOD = 2 ** 32;

interface PushState {
  /** Epoch ms of the last accepted report (or the start time). */
  lastSeen: number;
  /** Unix seconds of the newest accepted signed timestamp: anything before it is a replay. */
  floor: number;
  /** Signatures accepted within the floor second: two reports may share a second, a replay may not. */
  floorSigs: string[];
  /** Epoch ms of the last silent check handed on for the current silence. */
  lastSilent: number | null;
  /** Rate limit: a token bucket of reports_per_interval per interval_s. */
  tokens: number;
  refilled: number;
}

export type Admission = { ok: true } | { ok: false; retry_after_s: number };

export class PushSource {
  private readonly tracker = new CounterTracker();
  private readonly state = new Map<string, PushState>();
  private sites = new Map<string, Site>();
  private seq = 0;

  constructor(private readonly settings: Settings, sites: readonly Site[], private readonly startedAt: number) {
    this.setSites(sites);
  }

  setSites(sites: readonly Site[]): void {
    this.sites = new Map(sites.filter((s) => s.push !== undefined).map((s) => [s.id, s]));
    for (const id of [...this.state.keys()]) if (!this.sites.has(id)) { this.state.delete(id); this.tracker.forget(id); }
  }

  /** The site, when it is a push site. */
  site(id: string): Site | undefined {
    return this.sites.get(id);
  }

  private st(id: string): PushState {
    let s = this.state.get(id);
    if (!s) {
      const cap = this.settings.push.reports_per_interval;
      // a report signed in the second the service started is fresh; one signed before it is not
      s = { lastSeen: this.startedAt, floor: Math.floor(this.startedAt / 1000), floorSigs: [], lastSilent: null, tokens: cap, refilled: this.startedAt };
      this.state.set(id, s);
    }
    return s;
  }

  /** Unix seconds before which a signed report of this site is a replay. */
  floor(id: string): number {
    return this.st(id).floor;
  }

  /** A report signed before the newest accepted second, or the very same signed report again. */
  isReplay(id: string, signedTs: number, signature: string): boolean {
    const s = this.st(id);
    return signedTs < s.floor || (signedTs === s.floor && s.floorSigs.includes(signature));
  }

  /** Take one report from the site's budget and burn its signed timestamp (after the signature matched). */
  admit(id: string, signedTs: number, signature: string, now: number): Admission {
    const site = this.sites.get(id);
    if (!site?.push) return { ok: false, retry_after_s: 60 };
    const s = this.st(id);
    const cap = this.settings.push.reports_per_interval;
    const perMs = cap / (site.push.interval_s * 1000);
    s.tokens = Math.min(cap, s.tokens + (now - s.refilled) * perMs);
    s.refilled = now;
    if (s.tokens < 1) return { ok: false, retry_after_s: Math.max(1, Math.ceil((1 - s.tokens) / perMs / 1000)) };
    s.tokens -= 1;
    // burnt only when admitted, so floorSigs holds at most reports_per_interval signatures
    if (signedTs > s.floor) { s.floor = signedTs; s.floorSigs = []; }
    if (signedTs === s.floor) s.floorSigs.push(signature);
    return { ok: true };
  }

  /** An accepted report → one SiteCheck, stamped when it was received. */
  accept(id: string, r: ParsedReport, receivedAt: number): SiteCheck {
    const site = this.sites.get(id)!;
    const interval_s = site.push!.interval_s;
    const s = this.st(id);
    const late_s = Math.max(0, (receivedAt - s.lastSeen) / 1000 - interval_s);
    s.lastSeen = receivedAt;
    s.lastSilent = null;
    const asPoll: SnmpResult = {
      site: id, ts: receivedAt, duration_ms: 0, status: 'ok',
      system: { uptime_ticks: Math.round(r.uptime_s * 100) % TICKS_MOD, sys_name: '', sys_descr: '', sys_object_id: '' },
      interfaces: r.interfaces,
    };
    const upd = this.tracker.update(id, asPoll, interval_s);
    // a site also polled over SNMP has its interfaces from the poller: not counted twice
    const ownIfaces = site.snmp === false;
    const wan = ownIfaces ? pickWanInterface(r.interfaces, r.wan ?? site.wan_interface) : null;
    return {
      site: id, ts: receivedAt, cycle: ++this.seq, recheck: false,
      ping: null, snmp: null,
      uptime_s: r.uptime_s, rebooted: upd.rebooted, rebooted_at: upd.rebooted_at,
      interfaces: ownIfaces ? upd.rates : [], wan,
      push: {
        status: 'ok', late_s: Math.round(late_s), interval_s, covers_s: interval_s,
        ...(r.lte ? { lte: r.lte } : {}),
        ...(r.data_used_bytes !== undefined ? { data_used_bytes: r.data_used_bytes } : {}),
        ...(r.quota_exhausted !== undefined ? { quota_exhausted: r.quota_exhausted } : {}),
      },
    };
  }

  /**
   * Failed checks for push-only sites that are late (interval × late_factor since their last
   * report), one per interval while the silence lasts. A site also polled is judged by its pings.
   */
  silences(now: number): SiteCheck[] {
    const out: SiteCheck[] = [];
    const factor = this.settings.push.late_factor;
    for (const site of this.sites.values()) {
      if (site.host !== undefined) continue;
      const interval_s = site.push!.interval_s;
      const s = this.st(site.id);
      if (now - s.lastSeen < interval_s * factor * 1000) continue;
      if (s.lastSilent !== null && now - s.lastSilent < interval_s * 1000) continue;
      // the last report stood for one interval; the first silence stands for the rest of the wait
      const covers_s = s.lastSilent === null ? Math.max(interval_s, (now - s.lastSeen) / 1000 - interval_s) : (now - s.lastSilent) / 1000;
      s.lastSilent = now;
      out.push({
        site: site.id, ts: now, cycle: ++this.seq, recheck: false, ping: null, snmp: null,
        uptime_s: null, rebooted: false, rebooted_at: null, interfaces: [], wan: null,
        push: { status: 'silent', late_s: Math.round((now - s.lastSeen) / 1000), interval_s, covers_s: Math.round(covers_s * 10) / 10 },
      });
    }
    return out;
  }
}
