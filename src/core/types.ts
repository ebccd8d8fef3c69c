/**
 * Shared vocabulary between the stages: what a probe observes, what the poller hands on.
 * No IO here. Config types (Site, Settings, ...) come from src/config/schema.ts.
 */
export type { Site, Settings, Inventory, SnmpAccess, Contact, Uplink, SiteKind, Lang, Level, NotifierConfig, CommuneKind } from '../config/schema.js';

import type { Site as SiteT } from '../config/schema.js';

/** A site the poller pings and polls: one with a host (push-only sites have none). */
export type PolledSite = SiteT & { host: string };
export const isPolled = (s: SiteT): s is PolledSite => s.host !== undefined;

/** A failing target is data, never an exception. */
export type ProbeStatus = 'ok' | 'timeout' | 'unreachable' | 'error';

/** One site's ICMP result for one check (fping -C count). */
export interface PingResult {
  site: string;
  /** Epoch ms, taken when the probe STARTED. */
  ts: number;
  status: ProbeStatus;
  reason?: string;
  sent: number;
  received: number;
  loss_pct: number;
  rtt_min_ms: number | null;
  rtt_avg_ms: number | null;
  rtt_max_ms: number | null;
  /** Mean absolute difference between consecutive replies' RTTs. */
  jitter_ms: number | null;
  /** The raw fping line, for `pointwatch probe --debug`. */
  raw?: string;
}

export interface SnmpSystem {
  /** sysUpTime in TimeTicks (centiseconds), as the agent reported it (wraps at 2^32). */
  uptime_ticks: number;
  sys_name: string;
  sys_descr: string;
  sys_object_id: string;
}

/** Raw IF-MIB counters for one interface at one instant. Counters stay bigint until a rate is computed. */
export interface InterfaceCounters {
  index: number;
  name: string;
  descr: string;
  admin_up: boolean;
  oper_up: boolean;
  /** 64 when ifHC* counters were read, 32 when ifIn/OutOctets were the fallback. */
  counter_bits: 64 | 32;
  in_octets: bigint | null;
  out_octets: bigint | null;
  in_errors: bigint | null;
  out_errors: bigint | null;
  in_discards: bigint | null;
  out_discards: bigint | null;
  /** ifHighSpeed*1e6, or ifSpeed when high speed is absent. */
  speed_bps: number | null;
}

export interface SnmpResult {
  site: string;
  /** Epoch ms, at probe start. */
  ts: number;
  duration_ms: number;
  status: ProbeStatus;
  reason?: string;
  system?: SnmpSystem;
  interfaces?: InterfaceCounters[];
  /** Vendor profile extras (MikroTik/Ubiquiti wireless clients). */
  wireless_clients?: number;
  /** LTE radio figures (MikroTik mtxrLTEModemTable), when the agent has a modem. */
  lte?: LteFigures;
}

/** LTE radio figures, from a push report or a MikroTik's SNMP: the same fields either way. */
export interface LteFigures {
  rsrp_dbm?: number;
  rsrq_db?: number;
  sinr_db?: number;
  rssi_dbm?: number;
  /** E-UTRAN cell id (28 bits: eNB id × 256 + sector). */
  cell_id?: number;
  enb_id?: number;
  operator?: string;
  band?: string;
}

/** What a push report (or its absence) says about a site, beside the counters it carries. */
export interface PushObservation {
  /** 'ok': a signed report came; 'silent': none came within interval × late_factor. */
  status: 'ok' | 'silent';
  /** Seconds since the last report (silence), or the report's delay on the way. */
  late_s: number;
  /** The site's push interval (what the silence is measured against). */
  interval_s: number;
  /** Seconds of the site's time this check stands for (site_state checked_s): an interval, or the whole wait before the first silence. */
  covers_s: number;
  lte?: LteFigures;
  /** Mobile data used since the previous report, bytes. */
  data_used_bytes?: number;
  /** The router says the SIM's data package ran out. */
  quota_exhausted?: boolean;
}

/** Rates for one interface over one interval (metrics stage output). null = no trustworthy rate. */
export interface InterfaceRates {
  name: string;
  index: number;
  oper_up: boolean;
  admin_up: boolean;
  speed_bps: number | null;
  in_bps: number | null;
  out_bps: number | null;
  in_errors_ps: number | null;
  out_errors_ps: number | null;
  in_discards_ps: number | null;
  out_discards_ps: number | null;
  /** Why a rate was withheld: 'first-sample' | 'reboot' | 'implausible' | 'counter-reset' | 'gap'. */
  note?: string;
}

/** What the poller hands to the store and to alerting, once per site per check. */
export interface SiteCheck {
  site: string;
  /** Epoch ms at check start. */
  ts: number;
  /** Check sequence number since the poller started (1-based). */
  cycle: number;
  /** True when this check was the fast re-check of a failure. */
  recheck: boolean;
  /** The poller could not check (e.g. fping failed to run): alerting treats this as UNKNOWN, not DOWN. */
  unknown?: string;
  ping: PingResult | null;
  snmp: SnmpResult | null;
  /** Seconds since the router booted, when SNMP answered. */
  uptime_s: number | null;
  /** sysUpTime went backwards (not the 497-day wrap): the router rebooted since the last check. */
  rebooted: boolean;
  /** When the reboot happened (epoch ms), derived from uptime. */
  rebooted_at: number | null;
  /** Interface rates, WAN interface flagged. */
  interfaces: InterfaceRates[];
  /** Name of the WAN interface, and how it was chosen ('inventory' or the heuristic used). */
  wan: { name: string; chosen_by: string } | null;
  /** Present when the check came from a push report (or a push site's silence): src/push. */
  push?: PushObservation;
}
