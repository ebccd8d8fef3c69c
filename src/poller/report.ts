/**
 * What `pointwatch poll` prints: the JSON contract (one object per site per cycle, see
 * README.md in this folder) and the human table. Pure.
 */
import type { SiteCheck } from '../core/types.js';
import { isReachable } from './index.js';

export interface PollJsonInterface {
  name: string;
  index: number;
  oper_up: boolean;
  admin_up: boolean;
  wan: boolean;
  speed_bps: number | null;
  in_bps: number | null;
  out_bps: number | null;
  in_errors_ps: number | null;
  out_errors_ps: number | null;
  in_discards_ps: number | null;
  out_discards_ps: number | null;
  note: string | null;
}

export interface PollJson {
  site: string;
  cycle: number;
  /** ISO time the check started. */
  ts: string;
  reachable: boolean;
  /** A fast re-check was done (the first check failed); ping/snmp are then the re-check's values. */
  recheck: boolean;
  /** Why the site could not be checked (fping did not run...), else null. */
  unknown: string | null;
  ping: {
    status: string;
    reason: string | null;
    sent: number;
    received: number;
    loss_pct: number;
    rtt_min_ms: number | null;
    rtt_avg_ms: number | null;
    rtt_max_ms: number | null;
    jitter_ms: number | null;
  } | null;
  snmp: {
    status: string;
    reason: string | null;
    duration_ms: number;
    uptime_s: number | null;
    rebooted: boolean;
    rebooted_at: string | null;
    sys_name: string | null;
    wan: { name: string; chosen_by: string } | null;
    interfaces: PollJsonInterface[];
  } | null;
}

const r2 = (x: number | null): number | null => (x === null ? null : Math.round(x * 100) / 100);
const r0 = (x: number | null): number | null => (x === null ? null : Math.round(x));

/**
 * One record from a site's first check and, when there was one, its fast re-check.
 * The re-check confirms or clears the failure, so ping and SNMP status come from it; interface
 * rates (the re-check reads only the system group) and reboot detection from whichever saw them.
 */
export function toPollJson(first: SiteCheck, recheck?: SiteCheck): PollJson {
  const last = recheck ?? first;
  const ping = last.ping;
  // a ping-only re-check (every ping was lost) carries no SNMP: the first check's stands
  const snmpFinal = last.snmp ?? first.snmp;
  const wanName = first.wan?.name ?? null;
  return {
    site: first.site,
    cycle: first.cycle,
    ts: new Date(first.ts).toISOString(),
    reachable: isReachable(last),
    recheck: Boolean(recheck),
    unknown: last.unknown ?? null,
    ping: ping
      ? {
          status: ping.status, reason: ping.reason ?? null, sent: ping.sent, received: ping.received, loss_pct: r2(ping.loss_pct)!,
          rtt_min_ms: r2(ping.rtt_min_ms), rtt_avg_ms: r2(ping.rtt_avg_ms), rtt_max_ms: r2(ping.rtt_max_ms), jitter_ms: r2(ping.jitter_ms),
        }
      : null,
    snmp: snmpFinal
      ? {
          status: snmpFinal.status,
          reason: snmpFinal.reason ?? null,
          duration_ms: Math.round(snmpFinal.duration_ms),
          uptime_s: last.uptime_s ?? first.uptime_s,
          rebooted: first.rebooted || Boolean(recheck?.rebooted),
          rebooted_at: ((t) => (t === null ? null : new Date(t).toISOString()))(first.rebooted_at ?? recheck?.rebooted_at ?? null),
          sys_name: snmpFinal.system?.sys_name ?? first.snmp?.system?.sys_name ?? null,
          wan: first.wan,
          interfaces: first.interfaces.map((i) => ({
            name: i.name, index: i.index, oper_up: i.oper_up, admin_up: i.admin_up, wan: i.name === wanName,
            speed_bps: i.speed_bps, in_bps: r0(i.in_bps), out_bps: r0(i.out_bps),
            in_errors_ps: r2(i.in_errors_ps), out_errors_ps: r2(i.out_errors_ps),
            in_discards_ps: r2(i.in_discards_ps), out_discards_ps: r2(i.out_discards_ps),
            note: i.note ?? null,
          })),
        }
      : null,
  };
}

/** Pair each site's first check with its re-check (same cycle), in site order. */
export function pairChecks(checks: SiteCheck[]): Array<{ first: SiteCheck; recheck?: SiteCheck }> {
  const out = new Map<string, { first: SiteCheck; recheck?: SiteCheck }>();
  for (const c of checks) {
    const key = `${c.cycle}\u0000${c.site}`;
    const e = out.get(key);
    if (!c.recheck) out.set(key, { first: c, ...(e?.recheck ? { recheck: e.recheck } : {}) });
    else if (e) e.recheck = c;
  }
  return [...out.values()];
}

const mbps = (bps: number | null) => (bps === null ? '-' : (bps / 1e6).toFixed(2));

/** Fixed-width table lines for one cycle's records. */
export function formatTable(rows: PollJson[]): string[] {
  const head = ['SITE', 'CYCLE', 'REACH', 'LOSS%', 'RTT ms', 'SNMP', 'UPTIME', 'WAN', 'IN Mb/s', 'OUT Mb/s', 'NOTE'];
  const lines: string[][] = [head];
  for (const r of rows) {
    const wan = r.snmp?.interfaces.find((i) => i.wan);
    const notes = [
      r.unknown ? `unknown: ${r.unknown}` : '',
      r.recheck ? 're-checked' : '',
      r.snmp?.rebooted ? 'REBOOTED' : '',
      r.snmp && r.snmp.status !== 'ok' ? `snmp: ${r.snmp.reason ?? r.snmp.status}` : '',
      wan?.note ?? '',
    ].filter(Boolean);
    lines.push([
      r.site,
      String(r.cycle),
      r.unknown ? '?' : r.reachable ? 'up' : 'DOWN',
      r.ping ? String(r.ping.loss_pct) : '-',
      r.ping?.rtt_avg_ms !== null && r.ping?.rtt_avg_ms !== undefined ? r.ping.rtt_avg_ms.toFixed(1) : '-',
      r.snmp ? r.snmp.status : '-',
      r.snmp?.uptime_s !== null && r.snmp?.uptime_s !== undefined ? formatUptime(r.snmp.uptime_s) : '-',
      wan ? wan.name : '-',
      wan ? mbps(wan.in_bps) : '-',
      wan ? mbps(wan.out_bps) : '-',
      notes.join('; '),
    ]);
  }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines.map((l) => l.map((c, i) => (i === l.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

export function formatUptime(s: number): string {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}d${h}h` : h > 0 ? `${h}h${m}m` : `${m}m${Math.floor(s % 60)}s`;
}
