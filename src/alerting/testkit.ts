/**
 * Builders of SiteCheck values for alerting tests (unit and integration). Not used in production.
 * A check is built from what the poller would have seen: ping sent/received/RTT, SNMP status,
 * uptime, WAN interface.
 */
import { siteWithDefaults } from '../config/defaults.js';
import type { Site } from '../config/schema.js';
import type { InterfaceRates, SiteCheck } from '../core/types.js';

export const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

export function site(id: string, extra: Partial<Site> = {}): Site {
  return siteWithDefaults({
    id, name: `Site ${id}`, kind: 'cultural_house', province: 'Lao Cai', commune: 'Y Ty',
    host: '192.0.2.1', snmp: { version: '2c', community: 'public' }, uplink: '4g', ...extra,
  });
}

export interface CheckSpec {
  ts?: number;
  cycle?: number;
  recheck?: boolean;
  /** Replies out of `sent` (default 5 of 5). */
  received?: number;
  sent?: number;
  rtt?: number;
  snmp?: 'ok' | 'timeout' | 'none';
  uptime_s?: number | null;
  rebooted?: boolean;
  unknown?: string;
  pingError?: string;
  wan?: Partial<InterfaceRates> | null;
}

export function check(siteId: string, spec: CheckSpec = {}): SiteCheck {
  const sent = spec.sent ?? 5;
  const received = spec.received ?? sent;
  const ts = spec.ts ?? T0;
  const rtt = received > 0 ? (spec.rtt ?? 40) : null;
  const snmpStatus = spec.snmp ?? (received > 0 ? 'ok' : 'timeout');
  const wan: InterfaceRates | null = spec.wan === null || spec.wan === undefined ? null : {
    name: 'ether1', index: 1, oper_up: true, admin_up: true, speed_bps: 100e6, in_bps: 1e6, out_bps: 1e6,
    in_errors_ps: 0, out_errors_ps: 0, in_discards_ps: 0, out_discards_ps: 0, ...spec.wan,
  };
  return {
    site: siteId,
    ts,
    cycle: spec.cycle ?? 1,
    recheck: spec.recheck ?? false,
    ...(spec.unknown ? { unknown: spec.unknown } : {}),
    ping: {
      site: siteId, ts,
      status: spec.pingError ? 'error' : received > 0 ? 'ok' : 'timeout',
      ...(spec.pingError ? { reason: spec.pingError } : {}),
      sent, received,
      loss_pct: sent > 0 ? ((sent - received) / sent) * 100 : 100,
      rtt_min_ms: rtt, rtt_avg_ms: rtt, rtt_max_ms: rtt, jitter_ms: rtt === null ? null : 1,
    },
    snmp: snmpStatus === 'none' ? null : { site: siteId, ts, duration_ms: 10, status: snmpStatus },
    uptime_s: snmpStatus === 'ok' ? (spec.uptime_s === undefined ? 86_400 : spec.uptime_s) : null,
    rebooted: spec.rebooted ?? false,
    rebooted_at: spec.rebooted ? ts - (spec.uptime_s ?? 60) * 1000 : null,
    interfaces: wan ? [wan] : [],
    wan: wan ? { name: wan.name, chosen_by: 'inventory' } : null,
  };
}
