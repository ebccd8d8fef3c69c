/**
 * Site state: a PURE reducer. Previous state + one check → new state + effects (data).
 *
 * Model (Gatus-style): each condition keeps a streak of bad checks and a streak of good checks;
 * it fires after `fire` bad checks in a row and clears after `resolve` good checks in a row.
 * An alert opens (once: the `alerts` map is the latch) when its condition fires and nothing
 * suppresses it; it resolves when the condition clears, whatever suppressed it meanwhile, so a
 * resolved notice is never lost.
 *
 * - DOWN: no ping reply at all for `down_after` checks (the fast re-check counts); back after
 *   `up_after` checks with at least one reply. A lossy link that returns some replies is up.
 * - DEGRADED: loss or RTT over the uplink's thresholds, SNMP failing while ping answers, WAN
 *   interface down, WAN saturated; each for `degraded_after` checks, cleared after `up_after`.
 * - Push-only sites (no host: src/push): a report is a reply, silence past interval × late_factor
 *   a lost check. The late factor is already their hysteresis: DOWN on the first silent check, back
 *   on the first signed report (down_after/up_after are for pings, which a lossy link can lose).
 * - weak-signal (LTE below thresholds.lte) and quota-exhausted (the router says its data package
 *   ran out) are DEGRADED conditions like the others, from push reports or MikroTik SNMP.
 * - UNREACHABLE: the site's own checks fail while an ancestor is down: nothing is opened, the
 *   streaks keep counting, so when the ancestor recovers the site is judged at once.
 * - MAINTENANCE: nothing is opened; streaks keep counting.
 * - UNKNOWN: the poller could not check (check.unknown, a ping error, no data): streaks untouched.
 * - Flapping: `transitions` state changes (among UP/DEGRADED/DOWN) within `window` open one
 *   'flapping' alert; while flapping no other alert opens; it settles when the window holds
 *   fewer than half that many changes.
 *
 * Time: a check older than the last one seen (the clock jumped back) is judged at the last
 * time seen, so durations never go negative; an exact replay of the last check is ignored.
 */
import { wanSaturation } from './saturation.js';
import type { Settings, Site, Uplink } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import type { LteFigures, SiteCheck } from '../core/types.js';
import type { SiteStateName } from '../store/schema.js';
import type { AlertKind, Cause } from './notice.js';

/** The DEGRADED conditions, each with its own streaks and alert kind. */
export const DEGRADED_KINDS = ['high-loss', 'high-latency', 'snmp-unreachable', 'wan-interface-down', 'saturation', 'weak-signal', 'quota-exhausted'] as const;
export type DegradedKind = (typeof DEGRADED_KINDS)[number];

export interface ConditionState {
  /** Consecutive checks with the condition true. */
  bad: number;
  /** Consecutive checks with the condition false. */
  good: number;
  /** Fired (bad reached its threshold) and not yet cleared. */
  firing: boolean;
  /** Epoch ms of the first bad check of the current streak. */
  since: number | null;
  /** The condition explaining itself, from the latest bad check. */
  detail: string;
}

export interface DownState {
  /** Consecutive checks with no reply at all. */
  fail: number;
  /** Consecutive checks with at least one reply. */
  ok: number;
  /** DOWN confirmed (fail reached down_after) and not yet recovered. */
  confirmed: boolean;
  /** Epoch ms of the first failed check of the current outage (or failing streak). */
  since: number | null;
  detail: string;
  /** A reboot was seen during the outage or its recovery. */
  rebooted: boolean;
  /** The first uptime reported after the outage, with the time it was read. */
  uptime_after: { uptime_s: number; ts: number } | null;
}

export interface OpenAlert {
  since: number;
  detail: string;
}

/** Everything the reducer remembers about one site. Plain JSON: persisted as is. */
export interface SiteAlertState {
  site: string;
  state: SiteStateName;
  since: number;
  detail: string;
  down: DownState;
  conditions: Record<DegradedKind, ConditionState>;
  /** The latch: alerts opened and not yet resolved (the engine holds an incident for each). */
  alerts: Partial<Record<AlertKind, OpenAlert>>;
  /** Epoch ms of recent UP/DEGRADED/DOWN transitions (flapping window). */
  transitions: number[];
  flapping: boolean;
  last_ts: number | null;
  last_cycle: number | null;
}

export type Effect =
  | { type: 'transition'; from: SiteStateName; to: SiteStateName; ts: number; detail: string }
  | { type: 'open'; kind: AlertKind; ts: number; since: number; detail: string }
  | { type: 'resolve'; kind: AlertKind; ts: number; since: number; cause: Cause; detail: string }
  | { type: 'flapping'; ts: number; detail: string }
  | { type: 'reboot'; ts: number; at: number };

export interface ReduceContext {
  site: Site;
  settings: Settings;
  /** Epoch ms now (the engine's clock). */
  now: number;
  /** An ancestor is down (or failing): this site's own failure is not its own. */
  parentDown: boolean;
  inMaintenance: boolean;
}

export interface ReduceResult {
  state: SiteAlertState;
  effects: Effect[];
}

const FLAP_STATES: ReadonlySet<SiteStateName> = new Set(['UP', 'DEGRADED', 'DOWN']);

function freshCondition(): ConditionState {
  return { bad: 0, good: 0, firing: false, since: null, detail: '' };
}

export function initialSiteState(site: string, now: number): SiteAlertState {
  return {
    site,
    state: 'UNKNOWN',
    since: now,
    detail: 'no data yet',
    down: { fail: 0, ok: 0, confirmed: false, since: null, detail: '', rebooted: false, uptime_after: null },
    conditions: Object.fromEntries(DEGRADED_KINDS.map((k) => [k, freshCondition()])) as Record<DegradedKind, ConditionState>,
    alerts: {},
    transitions: [],
    flapping: false,
    last_ts: null,
    last_cycle: null,
  };
}

/** A number as people read it: at most one decimal, no trailing `.0`. */
export function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}

const checks = (n: number) => `${n} check${n === 1 ? '' : 's'}`;

/** The uplink's thresholds (sites without an uplink use `other`). */
export function thresholdsFor(site: Site, settings: Settings): { loss_pct: number; rtt_ms: number } {
  const uplink: Uplink = site.uplink ?? 'other';
  return settings.thresholds[uplink];
}

type Observation = { bad: boolean; detail: string } | null;

/** What one check says about each DEGRADED condition: null = no information this check. */
export function observeConditions(check: SiteCheck, site: Site, settings: Settings): Record<DegradedKind, Observation> {
  const t = thresholdsFor(site, settings);
  const ping = check.ping;
  const answered = ping !== null && ping.received > 0;
  const out: Record<DegradedKind, Observation> = {
    'high-loss': null, 'high-latency': null, 'snmp-unreachable': null, 'wan-interface-down': null, saturation: null,
    'weak-signal': null, 'quota-exhausted': null,
  };
  if (answered) {
    out['high-loss'] = { bad: ping.loss_pct > t.loss_pct, detail: `loss_pct ${fmt(ping.loss_pct)} > ${fmt(t.loss_pct)}` };
    if (ping.rtt_avg_ms !== null) {
      out['high-latency'] = { bad: ping.rtt_avg_ms > t.rtt_ms, detail: `rtt_avg_ms ${fmt(ping.rtt_avg_ms)} > ${fmt(t.rtt_ms)}` };
    }
    if (site.snmp !== false && check.snmp !== null) {
      const s = check.snmp;
      out['snmp-unreachable'] = { bad: s.status !== 'ok', detail: `snmp ${s.status} while ping answers` };
    }
  }
  const wan = check.wan ? check.interfaces.find((i) => i.name === check.wan!.name) : undefined;
  if (wan && (check.snmp?.status === 'ok' || check.push?.status === 'ok')) {
    out['wan-interface-down'] = {
      bad: !wan.oper_up,
      detail: `wan ${wan.name} oper down${wan.admin_up ? '' : ' (admin down)'}`,
    };
    const sat = wan.oper_up ? wanSaturation(wan, site.bandwidth) : null;
    if (sat) {
      const lim = settings.thresholds.saturation_pct;
      const of = sat.basis === 'contracted' ? ` (${sat.direction} ${fmt(sat.capacity_bps / 1e6)} Mbit/s contracted)` : '';
      out.saturation = { bad: sat.pct > lim, detail: `saturation_pct ${fmt(sat.pct)} > ${fmt(lim)} on wan ${wan.name}${of}` };
    }
  }
  const lte = check.push?.lte ?? check.snmp?.lte;
  if (lte) out['weak-signal'] = weakSignal(lte, settings.thresholds.lte);
  if (check.push?.status === 'ok' && check.push.quota_exhausted !== undefined) {
    out['quota-exhausted'] = { bad: check.push.quota_exhausted, detail: 'quota_exhausted: the router reports its data package used up' };
  }
  return out;
}

/** Signal below any threshold is weak; the detail names every figure below. null: no figure to judge. */
export function weakSignal(lte: LteFigures, t: Settings['thresholds']['lte']): Observation {
  const figures = [['rsrp_dbm', lte.rsrp_dbm, t.rsrp_dbm], ['rsrq_db', lte.rsrq_db, t.rsrq_db], ['sinr_db', lte.sinr_db, t.sinr_db]] as const;
  const known = figures.filter(([, v]) => v !== undefined);
  if (known.length === 0) return null;
  const low = known.filter(([, v, lim]) => v! < lim);
  return { bad: low.length > 0, detail: low.map(([k, v, lim]) => `${k} ${fmt(v!)} < ${fmt(lim)}`).join(', ') || 'signal ok' };
}

/**
 * What a check says about the site answering: pings when it was pinged; for a push-only site, a
 * report (answered) or its silence. null: nothing about reachability (a report from a polled site).
 */
export function reachOf(check: SiteCheck, site: Site): { answered: boolean; push: boolean; detail: string; reason?: string } | null {
  const p = check.ping;
  if (p !== null) {
    return { answered: p.received > 0, push: false, detail: `no ping reply: ${p.sent} sent, 0 received`, ...(p.reason ? { reason: p.reason } : {}) };
  }
  if (check.push && site.host === undefined) {
    const x = check.push;
    return { answered: x.status === 'ok', push: true, detail: `no push report for ${x.late_s} s (every ${x.interval_s} s expected)` };
  }
  return null;
}

/** Why the poller could not judge this check, or null when it could. */
export function unknownReason(check: SiteCheck): string | null {
  if (check.unknown) return `not checked: ${check.unknown}`;
  if (check.ping === null) return check.snmp === null && check.push === undefined ? 'no data' : null;
  if (check.ping.status === 'error') return `ping error${check.ping.reason ? `: ${check.ping.reason}` : ''}`;
  return null;
}

function causeOf(down: DownState): Cause {
  if (down.rebooted) return 'power';
  if (down.uptime_after && down.since !== null) {
    return down.uptime_after.uptime_s * 1000 < down.uptime_after.ts - down.since ? 'power' : 'link';
  }
  return 'unknown';
}

/** The largest streak threshold: a streak count only matters up to it. */
export function streakCap(settings: Settings): number {
  const a = settings.alerting;
  return Math.max(a.down_after, a.up_after, a.degraded_after);
}

/**
 * Would a restart from `a` judge every later check as a restart from `b` would? True when the two
 * differ only in what no later judgement reads: \`last_ts\`/\`last_cycle\` (only a replay of that
 * very check compares them, and a restart polls anew) and streak counts that are both at or past
 * `cap` (thresholds compare with >=; a counted-out streak reads the same at 7 as at 700). The
 * engine persists a state only when this is false against the one it persisted last: a steady
 * site is written once, not every check (5,000 JSON rows a minute were a quarter of alerting's CPU).
 */
export function sameForRestart(a: SiteAlertState, b: SiteAlertState, cap: number): boolean {
  const streak = (x: number, y: number) => x === y || (x >= cap && y >= cap);
  if (a === b) return true;
  if (a.site !== b.site || a.state !== b.state || a.since !== b.since || a.detail !== b.detail || a.flapping !== b.flapping) return false;
  const da = a.down;
  const db = b.down;
  if (!streak(da.fail, db.fail) || !streak(da.ok, db.ok) || da.confirmed !== db.confirmed || da.since !== db.since || da.detail !== db.detail || da.rebooted !== db.rebooted) return false;
  if ((da.uptime_after === null) !== (db.uptime_after === null)) return false;
  if (da.uptime_after && (da.uptime_after.uptime_s !== db.uptime_after!.uptime_s || da.uptime_after.ts !== db.uptime_after!.ts)) return false;
  for (const k of DEGRADED_KINDS) {
    const ca = a.conditions[k];
    const cb = b.conditions[k];
    if (!streak(ca.bad, cb.bad) || !streak(ca.good, cb.good) || ca.firing !== cb.firing || ca.since !== cb.since || ca.detail !== cb.detail) return false;
  }
  const ka = Object.keys(a.alerts) as AlertKind[];
  if (ka.length !== Object.keys(b.alerts).length) return false;
  for (const k of ka) {
    const x = a.alerts[k]!;
    const y = b.alerts[k];
    if (!y || x.since !== y.since || x.detail !== y.detail) return false;
  }
  if (a.transitions.length !== b.transitions.length) return false;
  for (let i = 0; i < a.transitions.length; i++) if (a.transitions[i] !== b.transitions[i]) return false;
  return true;
}

/** A deep copy (hand-written: structuredClone was the hottest spot at 1,000 sites per cycle). */
function cloneState(s: SiteAlertState): SiteAlertState {
  const conditions = {} as Record<DegradedKind, ConditionState>;
  for (const k of DEGRADED_KINDS) conditions[k] = { ...s.conditions[k] };
  const alerts: SiteAlertState['alerts'] = {};
  for (const [k, v] of Object.entries(s.alerts) as Array<[AlertKind, OpenAlert]>) alerts[k] = { ...v };
  return {
    ...s,
    down: { ...s.down, uptime_after: s.down.uptime_after ? { ...s.down.uptime_after } : null },
    conditions,
    alerts,
    transitions: [...s.transitions],
  };
}

/** Judge one check. Never throws on odd data; never mutates `prev`. */
export function reduceSite(prev: SiteAlertState, check: SiteCheck, ctx: ReduceContext): ReduceResult {
  if (prev.last_ts === check.ts && prev.last_cycle === check.cycle) return { state: prev, effects: [] };
  const s = cloneState(prev);
  const effects: Effect[] = [];
  const ts = prev.last_ts !== null && check.ts < prev.last_ts ? prev.last_ts : check.ts;
  s.last_ts = ts;
  s.last_cycle = check.cycle;
  const { settings } = ctx;
  const a = settings.alerting;
  const cap = streakCap(settings);

  if (check.rebooted) {
    effects.push({ type: 'reboot', ts, at: check.rebooted_at ?? ts });
  }

  const unknown = unknownReason(check);
  const reach = unknown === null ? reachOf(check, ctx.site) : null;
  if (reach !== null) {
    const d = s.down;
    const [downAfter, upAfter] = reach.push ? [1, 1] : [a.down_after, a.up_after];
    if (!reach.answered) {
      d.ok = 0;
      d.fail += 1;
      if (d.since === null) d.since = ts;
      d.detail = reach.push ? reach.detail : `${reach.detail}, ${checks(d.fail)}${reach.reason ? ` (${reach.reason})` : ''}`;
      if (!d.confirmed && d.fail >= downAfter) {
        d.confirmed = true;
        d.rebooted = false;
        d.uptime_after = null;
      }
      if (!d.confirmed && d.fail === 1) { d.rebooted = false; d.uptime_after = null; }
    } else {
      d.fail = 0;
      // good streaks are only compared with thresholds: counted up to the cap, a steady site's state stops changing
      d.ok = Math.min(d.ok + 1, cap);
      if (d.confirmed) {
        if (check.rebooted) d.rebooted = true;
        if (d.uptime_after === null && check.uptime_s !== null) d.uptime_after = { uptime_s: check.uptime_s, ts };
        if (d.ok >= upAfter) d.confirmed = false;
      } else {
        d.since = null;
      }
    }
    if (d.confirmed && check.rebooted) d.rebooted = true;
  }
  if (unknown === null && !s.down.confirmed && s.down.fail === 0) {
    const obs = observeConditions(check, ctx.site, settings);
    for (const k of DEGRADED_KINDS) {
      const o = obs[k];
      if (o === null) continue;
      const c = s.conditions[k];
      if (o.bad) {
        c.good = 0;
        c.bad += 1;
        if (c.since === null) c.since = ts;
        c.detail = `${o.detail} for ${checks(c.bad)}`;
        if (c.bad >= a.degraded_after) c.firing = true;
      } else {
        c.bad = 0;
        c.good = Math.min(c.good + 1, cap);
        if (!c.firing) c.since = null;
        if (c.firing && c.good >= a.up_after) { c.firing = false; c.since = null; }
      }
    }
  }

  decide(s, ctx, ts, unknown, effects);
  return { state: s, effects };
}

/**
 * Re-decide without a new check: the ancestor recovered, a maintenance window ended. The site's
 * streaks are judged again at once (a child still down gets its own alert now).
 */
export function resettle(prev: SiteAlertState, ctx: ReduceContext): ReduceResult {
  const s = cloneState(prev);
  const effects: Effect[] = [];
  const ts = Math.max(ctx.now, prev.last_ts ?? ctx.now);
  const unknown = prev.state === 'UNKNOWN' ? prev.detail : null;
  decide(s, ctx, ts, unknown, effects);
  return { state: s, effects };
}

function decide(s: SiteAlertState, ctx: ReduceContext, ts: number, unknown: string | null, effects: Effect[]): void {
  const a = ctx.settings.alerting;
  const d = s.down;
  const failing = d.confirmed || d.fail > 0;
  const unreachable = ctx.parentDown && failing;

  // ---- the published state
  let next: SiteStateName;
  let detail: string;
  const firingConds = DEGRADED_KINDS.filter((k) => s.conditions[k].firing);
  if (ctx.inMaintenance) {
    next = 'MAINTENANCE';
    detail = 'in a maintenance window';
  } else if (unknown !== null) {
    next = 'UNKNOWN';
    detail = unknown;
  } else if (unreachable) {
    next = 'UNREACHABLE';
    detail = `an upstream site is down; ${d.detail}`;
  } else if (d.confirmed) {
    next = 'DOWN';
    detail = d.detail;
  } else if (firingConds.length > 0) {
    next = 'DEGRADED';
    detail = firingConds.map((k) => s.conditions[k].detail).join('; ');
  } else {
    next = 'UP';
    detail = 'up';
  }
  if (d.fail > 0 && !d.confirmed && !unreachable && !ctx.inMaintenance && unknown === null) {
    // a failure not yet confirmed changes nothing that people see
    if (s.state === 'UP' || s.state === 'DEGRADED' || s.state === 'UNKNOWN') next = s.state;
    detail = `${next === 'UNKNOWN' ? 'no data yet' : next === 'DEGRADED' ? detail : 'up'}; ${d.detail}, not yet confirmed`;
  }
  if (next !== s.state) {
    effects.push({ type: 'transition', from: s.state, to: next, ts, detail });
    if (FLAP_STATES.has(s.state) && FLAP_STATES.has(next)) s.transitions.push(ts);
    s.state = next;
    s.since = Math.max(ts, s.since); // never back in time, even for a check stamped before the last change
  }
  s.detail = detail;

  // ---- flapping
  const windowMs = parseDuration(a.flapping.window);
  s.transitions = s.transitions.filter((t) => t > ts - windowMs);
  const n = s.transitions.length;
  if (!s.flapping && n >= a.flapping.transitions) {
    s.flapping = true;
    const text = `${n} state changes in ${a.flapping.window}`;
    effects.push({ type: 'flapping', ts, detail: text });
    if (!ctx.inMaintenance) {
      s.alerts.flapping = { since: ts, detail: text };
      effects.push({ type: 'open', kind: 'flapping', ts, since: ts, detail: text });
    }
  } else if (s.flapping && n < a.flapping.transitions / 2) {
    s.flapping = false;
    const open = s.alerts.flapping;
    if (open) {
      delete s.alerts.flapping;
      effects.push({ type: 'resolve', kind: 'flapping', ts, since: open.since, cause: 'unknown', detail: `settled: ${n} state changes in ${a.flapping.window}` });
    }
  }

  // ---- alerts: resolve first (never lost), then open what nothing suppresses
  const suppressed = ctx.inMaintenance || s.flapping || unknown !== null;
  const downOpen = s.alerts['site-down'];
  if (downOpen && !failing) {
    delete s.alerts['site-down'];
    effects.push({ type: 'resolve', kind: 'site-down', ts, since: downOpen.since, cause: causeOf(d), detail: `replies again after ${d.detail || 'an outage'}` });
  } else if (!downOpen && d.confirmed && !suppressed && !unreachable) {
    s.alerts['site-down'] = { since: d.since ?? ts, detail: d.detail };
    effects.push({ type: 'open', kind: 'site-down', ts, since: d.since ?? ts, detail: d.detail });
  }
  for (const k of DEGRADED_KINDS) {
    const c = s.conditions[k];
    const open = s.alerts[k];
    if (open && !c.firing) {
      delete s.alerts[k];
      effects.push({ type: 'resolve', kind: k, ts, since: open.since, cause: 'unknown', detail: `cleared for ${checks(c.good)}` });
    } else if (!open && c.firing && !suppressed && !failing) {
      s.alerts[k] = { since: c.since ?? ts, detail: c.detail };
      effects.push({ type: 'open', kind: k, ts, since: c.since ?? ts, detail: c.detail });
    }
  }
}
