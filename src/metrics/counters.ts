/**
 * Counter math (pure, no IO): Counter32/Counter64 deltas, reboot detection from sysUpTime,
 * and per-interface rates that never spike.
 *
 * Rules (each has a named case in counters.test.ts):
 * - Counter64 deltas stay bigint until the final division (float64 loses precision past 2^53).
 * - A counter that went down is a wrap only when the wrapped delta is under half the counter's
 *   range; anything bigger is a reset (agent restart, counter cleared) → no rate.
 * - sysUpTime going down is a reboot, except the 2^32-centisecond (497-day) TimeTicks wrap, which is
 *   recognised because the wall time elapsed matches the wrapped uptime. Uptime that grew much less
 *   than the wall time means the router rebooted during a gap.
 * - The interval of a reboot has no rate (note 'reboot'); the first sample has none ('first-sample').
 * - A rate above speed × margin is discarded ('implausible').
 * - A gap of missed polls gives the average over the whole gap (never a spike); for Counter32 a gap
 *   longer than max_gap_factor intervals gives no rate ('gap': it may have wrapped more than once).
 */
import type { InterfaceCounters, InterfaceRates, SnmpResult } from '../core/types.js';

const MOD32 = 1n << 32n;
const MOD64 = 1n << 64n;

/**
 * Increase of a counter between two readings. `bits` is the counter's width.
 * Returns null when the counter went backwards by more than a plausible wrap (a reset).
 */
export function counterDelta(prev: bigint, cur: bigint, bits: 32 | 64): bigint | null {
  const mod = bits === 32 ? MOD32 : MOD64;
  if (prev < 0n || cur < 0n || prev >= mod || cur >= mod) return null;
  if (cur >= prev) return cur - prev;
  const wrapped = mod - prev + cur;
  return wrapped < mod / 2n ? wrapped : null;
}

export interface UptimeSample {
  /** sysUpTime in TimeTicks (centiseconds), as reported (wraps at 2^32). */
  ticks: number;
  /** Epoch ms of the reading. */
  ts: number;
}

const TICKS_MOD = 2 ** 32;

/** Tolerance between uptime growth and wall time: 30 s plus 2% of the elapsed time (polls are stamped at probe start). */
function toleranceCs(elapsedCs: number): number {
  return 3000 + Math.abs(elapsedCs) * 0.02;
}

/**
 * Did the agent restart between two sysUpTime readings?
 * rebooted_at (epoch ms) = reading time − uptime, when rebooted.
 */
export function detectReboot(prev: UptimeSample, cur: UptimeSample): { rebooted: boolean; rebooted_at: number | null } {
  const elapsedCs = (cur.ts - prev.ts) / 10;
  const expected = prev.ticks + elapsedCs;
  const tol = toleranceCs(elapsedCs);
  const rebootedAt = { rebooted: true, rebooted_at: Math.round(cur.ts - cur.ticks * 10) };
  if (cur.ticks < prev.ticks) {
    // The only innocent way down is the 497-day wrap, and then the wall time must match.
    if (Math.abs(cur.ticks + TICKS_MOD - expected) <= tol) return { rebooted: false, rebooted_at: null };
    return rebootedAt;
  }
  // Uptime went up, but by much less than the wall time: it restarted during a gap.
  if (elapsedCs > 0 && cur.ticks < expected - tol && cur.ticks < elapsedCs) return rebootedAt;
  return { rebooted: false, rebooted_at: null };
}

export interface CounterTrackerOptions {
  /** A rate above speed × this is discarded as implausible (default 1.1). */
  implausible_margin?: number;
  /** Counter32: no rate when more than this many intervals passed since the last sample (default 10). */
  max_gap_factor?: number;
}

export interface TrackerUpdate {
  /** Seconds since boot (continues past the 497-day TimeTicks wrap once a wrap was seen). */
  uptime_s: number | null;
  rebooted: boolean;
  rebooted_at: number | null;
  rates: InterfaceRates[];
}

interface IfState {
  /** ifName at the last sample: the same ifIndex with another name is another interface (first sample). */
  name: string;
  /** The site's interface sample (SiteState.ifSeq) that last saw this interface. */
  seen: number;
  bits: 32 | 64;
  in_octets: bigint | null;
  out_octets: bigint | null;
  /**
   * Error and discard counters are Counter32 (IF-MIB): kept as numbers, exact below 2^53, so a
   * steady interface holds two bigints (its octets), not six.
   */
  in_errors: number | null;
  out_errors: number | null;
  in_discards: number | null;
  out_discards: number | null;
}

interface SiteState {
  /** ts of the last interface sample. */
  ifTs: number | null;
  /**
   * By ifIndex (unique within a table). Updated in place: a steady site allocates nothing here per
   * poll (this state lives for the whole interval, so anything new per poll would be promoted out
   * of the young generation and cost full collections).
   */
  ifaces: Map<number, IfState>;
  /** Interface samples taken so far. */
  ifSeq: number;
  uptime: UptimeSample | null;
  /** Number of 497-day wraps seen since the last boot. */
  wraps: number;
  /** A reboot was seen on a system-only sample since the last interface sample. */
  rebootSinceIfaces: boolean;
}

function nullRates(i: InterfaceCounters, note: string): InterfaceRates {
  return {
    name: i.name, index: i.index, oper_up: i.oper_up, admin_up: i.admin_up, speed_bps: i.speed_bps,
    in_bps: null, out_bps: null, in_errors_ps: null, out_errors_ps: null, in_discards_ps: null, out_discards_ps: null,
    note,
  };
}

/** Remember `i` as the last sample of its interface: `st` updated in place, or a new state. */
function remember(st: IfState | undefined, i: InterfaceCounters, seq: number): IfState {
  if (!st) {
    return {
      name: i.name, seen: seq, bits: i.counter_bits,
      in_octets: i.in_octets, out_octets: i.out_octets,
      in_errors: num(i.in_errors), out_errors: num(i.out_errors),
      in_discards: num(i.in_discards), out_discards: num(i.out_discards),
    };
  }
  st.name = i.name;
  st.seen = seq;
  st.bits = i.counter_bits;
  st.in_octets = i.in_octets;
  st.out_octets = i.out_octets;
  st.in_errors = num(i.in_errors);
  st.out_errors = num(i.out_errors);
  st.in_discards = num(i.in_discards);
  st.out_discards = num(i.out_discards);
  return st;
}

const num = (v: bigint | null): number | null => (v === null ? null : Number(v));

/** Rate per second of a counter (×scale), bigint until the final division. */
function rate(prev: bigint | null, cur: bigint | null, bits: 32 | 64, elapsedMs: number, scale: bigint): { v: number | null; reset: boolean } {
  if (prev === null || cur === null) return { v: null, reset: false };
  const d = counterDelta(prev, cur, bits);
  if (d === null) return { v: null, reset: true };
  return { v: Number(d * scale * 1000n) / elapsedMs, reset: false };
}

const MOD32_N = 2 ** 32;

/**
 * Rate per second of a Counter32 kept as a number: the same rules as counterDelta (a wrap when
 * the wrapped delta is under half the range, else a reset; a value outside the range is a reset),
 * in float64, which is exact for 32-bit values.
 */
function rate32(prev: number | null, cur: bigint | null, elapsedMs: number): { v: number | null; reset: boolean } {
  if (prev === null || cur === null) return { v: null, reset: false };
  const c = Number(cur);
  if (prev < 0 || c < 0 || prev >= MOD32_N || c >= MOD32_N) return { v: null, reset: true };
  let d = c - prev;
  if (d < 0) {
    d += MOD32_N;
    if (d >= MOD32_N / 2) return { v: null, reset: true };
  }
  return { v: (d * 1000) / elapsedMs, reset: false };
}

/**
 * Keeps the previous sample per site and interface, turns counters into rates.
 * State lives here, never on config objects; one tracker per poller.
 */
export class CounterTracker {
  private readonly margin: number;
  private readonly maxGap: number;
  private readonly sites = new Map<string, SiteState>();

  constructor(opts: CounterTrackerOptions = {}) {
    this.margin = opts.implausible_margin ?? 1.1;
    this.maxGap = opts.max_gap_factor ?? 10;
  }

  update(site: string, snmp: SnmpResult, interval_s: number): TrackerUpdate {
    let st = this.sites.get(site);
    if (!st) {
      st = { ifTs: null, ifaces: new Map(), ifSeq: 0, uptime: null, wraps: 0, rebootSinceIfaces: false };
      this.sites.set(site, st);
    }
    // A failed poll changes nothing: the next good one averages over the whole gap.
    if (snmp.status !== 'ok') return { uptime_s: null, rebooted: false, rebooted_at: null, rates: [] };

    let rebooted = false;
    let rebooted_at: number | null = null;
    let uptime_s: number | null = null;
    if (snmp.system) {
      const cur: UptimeSample = { ticks: snmp.system.uptime_ticks, ts: snmp.ts };
      if (st.uptime) {
        const r = detectReboot(st.uptime, cur);
        rebooted = r.rebooted;
        rebooted_at = r.rebooted_at;
        if (rebooted) { st.wraps = 0; st.rebootSinceIfaces = true; }
        else if (cur.ticks < st.uptime.ticks) st.wraps += 1;
      }
      st.uptime = cur;
      uptime_s = (cur.ticks + st.wraps * TICKS_MOD) / 100;
    }

    if (!snmp.interfaces) return { uptime_s, rebooted, rebooted_at, rates: [] };
    // Counters restarted with the agent, also when the reboot was seen on a system-only poll in between.
    const countersRestarted = st.rebootSinceIfaces;
    st.rebootSinceIfaces = false;

    const elapsedMs = st.ifTs === null ? 0 : snmp.ts - st.ifTs;
    const first = st.ifTs === null || elapsedMs <= 0;
    const gapTooLongFor32 = !first && interval_s > 0 && elapsedMs > interval_s * 1000 * this.maxGap;
    const rates: InterfaceRates[] = [];
    const ifaces = st.ifaces;
    const seq = ++st.ifSeq;
    for (const i of snmp.interfaces) {
      const known = ifaces.get(i.index);
      if (known !== undefined && known.seen === seq) {
        // the same ifIndex twice in one answer (a broken agent): no rate for the second row
        rates.push(nullRates(i, 'first-sample'));
        continue;
      }
      // the last sample's state of this interface; the same ifIndex under another name is another interface
      const prev = known !== undefined && known.name === i.name && known.seen === seq - 1 ? known : undefined;
      let note: string | null = null;
      if (countersRestarted && !first) note = 'reboot';
      else if (first || !prev || prev.bits !== i.counter_bits) note = 'first-sample';
      else if (gapTooLongFor32 && i.counter_bits === 32) note = 'gap';
      if (note !== null || prev === undefined) {
        rates.push(nullRates(i, note ?? 'first-sample'));
        ifaces.set(i.index, remember(known, i, seq));
        continue;
      }

      const inO = rate(prev.in_octets, i.in_octets, i.counter_bits, elapsedMs, 8n);
      const outO = rate(prev.out_octets, i.out_octets, i.counter_bits, elapsedMs, 8n);
      const inE = rate32(prev.in_errors, i.in_errors, elapsedMs);
      const outE = rate32(prev.out_errors, i.out_errors, elapsedMs);
      const inD = rate32(prev.in_discards, i.in_discards, elapsedMs);
      const outD = rate32(prev.out_discards, i.out_discards, elapsedMs);
      const r: InterfaceRates = {
        name: i.name, index: i.index, oper_up: i.oper_up, admin_up: i.admin_up, speed_bps: i.speed_bps,
        in_bps: inO.v, out_bps: outO.v,
        in_errors_ps: inE.v, out_errors_ps: outE.v, in_discards_ps: inD.v, out_discards_ps: outD.v,
      };
      const notes: string[] = [];
      if (inO.reset || outO.reset || inE.reset || outE.reset || inD.reset || outD.reset) notes.push('counter-reset');
      if (i.speed_bps !== null && i.speed_bps > 0) {
        const limit = i.speed_bps * this.margin;
        if ((r.in_bps !== null && r.in_bps > limit) || (r.out_bps !== null && r.out_bps > limit)) {
          r.in_bps = null;
          r.out_bps = null;
          notes.push('implausible');
        }
      }
      if (notes.length) r.note = notes.join(',');
      rates.push(r);
      remember(prev, i, seq);
    }
    // rows gone from the table are forgotten
    if (ifaces.size > snmp.interfaces.length) for (const [k, v] of ifaces) if (v.seen !== seq) ifaces.delete(k);
    st.ifTs = snmp.ts;
    return { uptime_s, rebooted, rebooted_at, rates };
  }

  forget(site: string): void {
    this.sites.delete(site);
  }
}

// ---------------------------------------------------------------- WAN interface

const NOT_WAN = /^(lo|loopback|br|bridge|veth|docker|virbr|dummy|tun|tap|ifb|sit|gre|ip6tnl|ip6gre|teql|wg|null|vxlan|bond-slave)/i;
const NOT_WAN_DESCR = /(loopback|bridge|virtual|null0|tunnel)/i;

/** Name rules, most telling first. */
const WAN_NAME_RULES: Array<{ rule: string; re: RegExp }> = [
  { rule: 'name contains "wan"', re: /wan/i },
  { rule: 'name looks like PPP/PPPoE', re: /^(ppp|pppoe|dialer)/i },
  { rule: 'name looks like a cellular modem', re: /(lte|wwan|4g|3g|usb|modem|cellular)/i },
  { rule: 'name is ether1 (MikroTik default WAN)', re: /^ether1$/i },
  { rule: 'name is eth0 (first Ethernet port)', re: /^eth0$/i },
];

/** Access-point radios serve the village, they are rarely the uplink: last resort only. */
const WIRELESS_LAN = /^(wlan|ath|wifi|ra\d|rai|wl\d|cap)/i;

const traffic = (i: InterfaceCounters) => (i.in_octets ?? 0n) + (i.out_octets ?? 0n);

/**
 * The WAN interface: the inventory's `wan_interface` (ifName or ifDescr) wins; otherwise a heuristic
 * that skips loopback/bridge/virtual interfaces, prefers telling names (wan, ppp, lte/wwan, ether1, eth0),
 * then the up wired interface with the most traffic (radios last). `chosen_by` says which rule decided.
 */
export function pickWanInterface(ifaces: InterfaceCounters[], configured?: string): { name: string; chosen_by: string } | null {
  let prefix = '';
  if (configured) {
    const exact = ifaces.find((i) => i.name === configured || i.descr === configured);
    const loose = exact ?? ifaces.find((i) => i.name.toLowerCase() === configured.toLowerCase() || i.descr.toLowerCase() === configured.toLowerCase());
    if (loose) return { name: loose.name, chosen_by: 'inventory' };
    prefix = `inventory wan_interface ${JSON.stringify(configured)} not found; `;
  }
  const candidates = ifaces.filter((i) => !NOT_WAN.test(i.name) && !NOT_WAN_DESCR.test(i.descr) && i.admin_up);
  if (candidates.length === 0) return null;
  const up = candidates.filter((i) => i.oper_up);
  for (const { rule, re } of WAN_NAME_RULES) {
    const hits = candidates.filter((i) => re.test(i.name) || (!i.name && re.test(i.descr)));
    if (hits.length) {
      const best = hits.find((i) => i.oper_up) ?? hits[0]!;
      return { name: best.name, chosen_by: `${prefix}${rule}` };
    }
  }
  const wiredUp = up.filter((i) => !WIRELESS_LAN.test(i.name));
  const pool = wiredUp.length ? wiredUp : up.length ? up : candidates;
  const best = pool.reduce((a, b) => (traffic(b) > traffic(a) ? b : a));
  const rule = wiredUp.length ? 'up wired interface with the most traffic' : up.length ? 'up interface with the most traffic' : 'interface with the most traffic (none up)';
  return { name: best.name, chosen_by: `${prefix}${rule}` };
}
