/**
 * The simulated router, as pure state driven by a clock: uptime, interfaces and octet counters
 * that move like a village Wi-Fi link (a day/night usage curve at 4G or fibre speeds), and the
 * per-site fault that the agent layer (agent.ts) or the namespace (netns.ts) puts on the wire.
 * No IO here.
 */

export const FAULT_KINDS = ['down', 'flapping', 'slow', 'reboot', 'wrap', 'lossy'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * A fault on one site.
 * - down: nothing answers (SNMP unanswered; ICMP dropped when the site lives in the namespace).
 * - flapping: down for `period_s`, up for `period_s`, alternately (default 10 s).
 * - slow: SNMP answers `delay_ms` late (default 8000 ms: beyond the default 2 s timeout × 3 tries).
 * - reboot: the router reboots `after_s` after the fault is applied (default 0): uptime and counters reset.
 * - wrap: the octet counters are placed so they wrap (2^32 for 32-bit devices, 2^64 for HC) `after_s` after apply (default 5 s).
 * - lossy: each request (and ICMP echo in the namespace) is dropped with probability `p` (default 0.5).
 */
export type Fault =
  | { kind: 'down' }
  | { kind: 'flapping'; period_s: number }
  | { kind: 'slow'; delay_ms: number }
  | { kind: 'reboot'; after_s: number }
  | { kind: 'wrap'; after_s: number }
  | { kind: 'lossy'; p: number };

export type SimUplink = '4g' | 'fibre';

export interface SimInterface {
  index: number;
  name: string;
  descr: string;
  /** IANAifType: 6 ethernetCsmacd, 71 ieee80211, 209 bridge. */
  type: number;
  role: 'wan' | 'lan' | 'wlan';
  speed_bps: number;
  mac: string;
}

export interface RouterSpec {
  id: string;
  /** UDP port the agent listens on. */
  port: number;
  /** Address the poller uses (127.0.0.x, or an address inside the simulator's namespace). */
  host: string;
  uplink: SimUplink;
  /** false: a 32-bit-only device (no ifXTable, no HC counters). */
  hc: boolean;
  /** v3 user (authPriv SHA/AES) instead of a v2c community. */
  v3: boolean;
  vendor: 'mikrotik' | 'ubiquiti' | 'generic';
  interfaces: SimInterface[];
  /** Share of the uplink the site uses at peak (0..1). */
  peak_share: number;
  seed: number;
}

// ------------------------------------------------------------------ randomness (deterministic)

export function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, deterministic. Returns floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ------------------------------------------------------------------ usage curve

/** Share of peak use per local hour (Vietnam, UTC+7): quiet at night, busy at lunch and in the evening. */
const HOURLY = [
  0.04, 0.03, 0.02, 0.02, 0.03, 0.08, 0.18, 0.3, 0.38, 0.42, 0.45, 0.55,
  0.6, 0.5, 0.42, 0.45, 0.55, 0.7, 0.9, 1.0, 0.95, 0.75, 0.4, 0.12,
];
const TZ_OFFSET_MS = 7 * 3600_000;

/** Usage factor 0..1 at epoch ms `t` (linear between hourly points). */
export function usageFactor(t: number): number {
  const h = (((t + TZ_OFFSET_MS) / 3600_000) % 24 + 24) % 24;
  const i = Math.floor(h);
  const f = h - i;
  const a = HOURLY[i] ?? 0;
  const b = HOURLY[(i + 1) % 24] ?? 0;
  return a + (b - a) * f;
}

/** ±25% noise that changes every 10 s, deterministic per site. */
function noise(seed: number, t: number): number {
  const slot = Math.floor(t / 10_000);
  return 0.75 + 0.5 * prng(seed ^ slot)();
}

// ------------------------------------------------------------------ fleet layout

const VENDOR_DESCR: Record<RouterSpec['vendor'], string> = {
  mikrotik: 'RouterOS RB951Ui-2nD',
  ubiquiti: 'Linux UniFi-AP 4.4.153 #0 SMP mips',
  generic: 'Linux OpenWrt 5.15.137 #0 SMP mips',
};
export const VENDOR_OID: Record<RouterSpec['vendor'], string> = {
  mikrotik: '1.3.6.1.4.1.14988.1',
  ubiquiti: '1.3.6.1.4.1.41112',
  generic: '1.3.6.1.4.1.8072.3.2.10',
};
export function sysDescr(spec: RouterSpec): string {
  return VENDOR_DESCR[spec.vendor];
}

function mac(seed: number, i: number): string {
  const r = prng(seed + i * 7919);
  const b = [0x02, ...Array.from({ length: 5 }, () => Math.floor(r() * 256))];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/**
 * The deterministic layout of site `i` of a fleet: every 5th site is fibre, every 7th is
 * 32-bit only, every 9th is v3, and 2-4 interfaces (WAN + LAN + wlan, sometimes a second LAN).
 */
export function routerSpec(i: number, opts: { id: string; port: number; host: string }): RouterSpec {
  const seed = hashString(opts.id);
  const r = prng(seed);
  const uplink: SimUplink = i % 5 === 0 ? 'fibre' : '4g';
  const hc = i % 7 !== 3;
  const v3 = i % 9 === 4;
  const vendor: RouterSpec['vendor'] = i % 3 === 0 ? 'mikrotik' : i % 3 === 1 ? 'ubiquiti' : 'generic';
  const wanSpeed = uplink === 'fibre' ? 100_000_000 : Math.round(20 + r() * 30) * 1_000_000;
  const wanName = uplink === 'fibre' ? (vendor === 'mikrotik' ? 'ether1' : 'eth0') : vendor === 'mikrotik' ? 'lte1' : 'wwan0';
  const ifaces: SimInterface[] = [
    { index: 1, name: wanName, descr: wanName, type: uplink === 'fibre' ? 6 : 6, role: 'wan', speed_bps: wanSpeed, mac: mac(seed, 1) },
    { index: 2, name: vendor === 'mikrotik' ? 'bridge' : 'br-lan', descr: 'LAN bridge', type: 209, role: 'lan', speed_bps: 1_000_000_000, mac: mac(seed, 2) },
    { index: 3, name: 'wlan1', descr: 'wlan1', type: 71, role: 'wlan', speed_bps: 144_400_000, mac: mac(seed, 3) },
  ];
  if (i % 4 === 2) {
    ifaces.push({ index: 4, name: vendor === 'mikrotik' ? 'ether2' : 'eth1', descr: 'ether2', type: 6, role: 'lan', speed_bps: 100_000_000, mac: mac(seed, 4) });
  }
  return { ...opts, uplink, hc, v3, vendor, interfaces: ifaces, peak_share: 0.3 + 0.6 * r(), seed };
}

// ------------------------------------------------------------------ the moving router

const TWO64 = 1n << 64n;
const TWO32 = 1n << 32n;

export interface IfCounters {
  in_octets: bigint;
  out_octets: bigint;
  in_pkts: bigint;
  out_pkts: bigint;
  in_errors: bigint;
  out_errors: bigint;
  in_discards: bigint;
  out_discards: bigint;
}

const zero = (): IfCounters => ({ in_octets: 0n, out_octets: 0n, in_pkts: 0n, out_pkts: 0n, in_errors: 0n, out_errors: 0n, in_discards: 0n, out_discards: 0n });

/** Bytes per second (in, out) an interface moves at time t. Never above 95% of its speed. */
export function ifRates(spec: RouterSpec, iface: SimInterface, t: number): { in: number; out: number } {
  const wan = spec.interfaces[0]!;
  const wanBps = Math.min(0.95, spec.peak_share * usageFactor(t) * noise(spec.seed, t)) * wan.speed_bps;
  const down = wanBps / 8; // bytes/s from the Internet to the village
  const up = down * 0.18;
  switch (iface.role) {
    case 'wan':
      return { in: down, out: up };
    case 'wlan':
      return { in: up * 0.97, out: down * 0.97 };
    case 'lan':
      return { in: up * 0.03 + 200, out: down * 0.03 + 400 };
  }
}

export class RouterModel {
  /** Epoch ms the router (last) booted. */
  bootAt: number;
  private lastT: number;
  readonly counters: Map<number, IfCounters> = new Map();
  fault: Fault | null = null;
  faultSince = 0;
  private pendingReboot: number | null = null;
  reboots = 0;
  /** The site lives in the simulator's namespace: down/flapping/lossy are iptables rules there, not agent behaviour. */
  faultsOnNetwork = false;

  constructor(readonly spec: RouterSpec, now: number) {
    const r = prng(spec.seed ^ 0x5bd1e995);
    // up for 1 h .. 20 days, counters as if they had been counting a while
    this.bootAt = now - Math.floor((3600 + r() * 20 * 86400) * 1000);
    this.lastT = now;
    // counters as if they had counted since boot at a typical day's average use (~40% of peak)
    const upS = (now - this.bootAt) / 1000;
    const noon = Date.UTC(2026, 0, 1, 5); // 12:00 in UTC+7
    for (const i of spec.interfaces) {
      const c = zero();
      const avg = ifRates(spec, i, noon);
      const scale = 0.4 / Math.max(0.01, usageFactor(noon));
      const mod = spec.hc ? TWO64 : TWO32;
      c.in_octets = BigInt(Math.floor(avg.in * scale * upS)) % mod;
      c.out_octets = BigInt(Math.floor(avg.out * scale * upS)) % mod;
      c.in_pkts = (c.in_octets / 900n) % TWO32;
      c.out_pkts = (c.out_octets / 400n) % TWO32;
      this.counters.set(i.index, c);
    }
  }

  /** Move counters to time `now` (integrates the usage curve). Idempotent for the same `now`. */
  advance(now: number): void {
    if (this.pendingReboot !== null && now >= this.pendingReboot) {
      this.pendingReboot = null;
      this.reboot(this.lastT > now ? now : Math.max(this.lastT, now));
    }
    const dt = (now - this.lastT) / 1000;
    if (dt <= 0) return;
    const mid = this.lastT + (now - this.lastT) / 2;
    const mod = this.spec.hc ? TWO64 : TWO32;
    for (const iface of this.spec.interfaces) {
      const c = this.counters.get(iface.index)!;
      const { in: bi, out: bo } = ifRates(this.spec, iface, mid);
      const inB = BigInt(Math.floor(bi * dt));
      const outB = BigInt(Math.floor(bo * dt));
      c.in_octets = (c.in_octets + inB) % mod;
      c.out_octets = (c.out_octets + outB) % mod;
      c.in_pkts = (c.in_pkts + inB / 900n) % TWO32;
      c.out_pkts = (c.out_pkts + outB / 400n) % TWO32;
      if (iface.role === 'wan') {
        c.in_errors += BigInt(Math.floor(dt * 0.02 + (this.spec.uplink === '4g' ? dt * 0.05 : 0)));
        c.in_discards += BigInt(Math.floor(dt * 0.01));
      }
    }
    this.lastT = now;
  }

  /** sysUpTime in TimeTicks (centiseconds), wrapping at 2^32 like the real thing. */
  uptimeTicks(now: number): number {
    return Math.floor(Math.max(0, now - this.bootAt) / 10) % 2 ** 32;
  }

  /** Power cut: uptime from zero, counters from zero. */
  reboot(now: number): void {
    this.bootAt = now;
    this.lastT = now;
    for (const i of this.spec.interfaces) this.counters.set(i.index, zero());
    this.reboots++;
  }

  /** Put the octet counters so that they wrap about `after_s` from now. */
  primeWrap(now: number, after_s: number): void {
    this.advance(now);
    const mod = this.spec.hc ? TWO64 : TWO32;
    for (const iface of this.spec.interfaces) {
      const c = this.counters.get(iface.index)!;
      const { in: bi, out: bo } = ifRates(this.spec, iface, now);
      c.in_octets = mod - BigInt(Math.max(1, Math.floor(bi * after_s)));
      c.out_octets = mod - BigInt(Math.max(1, Math.floor(bo * after_s)));
    }
  }

  setFault(fault: Fault | null, now: number): void {
    this.advance(now);
    this.fault = fault;
    this.faultSince = now;
    this.pendingReboot = null;
    if (fault?.kind === 'reboot') {
      if (fault.after_s <= 0) this.reboot(now);
      else this.pendingReboot = now + fault.after_s * 1000;
    }
    if (fault?.kind === 'wrap') this.primeWrap(now, fault.after_s);
  }

  /** What the agent does with one request at `now`: answer, drop, or answer late. */
  decide(now: number, rand: number): { action: 'answer' } | { action: 'drop' } | { action: 'delay'; ms: number } {
    const f = this.fault;
    if (!f) return { action: 'answer' };
    if (this.faultsOnNetwork && f.kind !== 'slow') return { action: 'answer' };
    switch (f.kind) {
      case 'down':
        return { action: 'drop' };
      case 'flapping':
        return isFlapDown(f.period_s, now - this.faultSince) ? { action: 'drop' } : { action: 'answer' };
      case 'lossy':
        return rand < f.p ? { action: 'drop' } : { action: 'answer' };
      case 'slow':
        return { action: 'delay', ms: f.delay_ms };
      default:
        return { action: 'answer' };
    }
  }
}

/** Flapping starts down: down in [0, P), up in [P, 2P), ... */
export function isFlapDown(period_s: number, sinceMs: number): boolean {
  return Math.floor(sinceMs / (period_s * 1000)) % 2 === 0;
}
