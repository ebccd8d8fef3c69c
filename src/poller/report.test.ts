import { describe, expect, it } from 'vitest';
import type { PingResult, SiteCheck, SnmpResult } from '../core/types.js';
import { formatTable, formatUptime, pairChecks, toPollJson } from './report.js';

const TS = Date.UTC(2026, 0, 1, 12);
const ping = (received: number, over: Partial<PingResult> = {}): PingResult => ({
  site: 's1', ts: TS, status: received ? 'ok' : 'unreachable', sent: 5, received, loss_pct: ((5 - received) / 5) * 100,
  rtt_min_ms: received ? 1.234 : null, rtt_avg_ms: received ? 2.345 : null, rtt_max_ms: received ? 3.456 : null, jitter_ms: received ? 0.5 : null, ...over,
});
const snmp = (status: SnmpResult['status'], over: Partial<SnmpResult> = {}): SnmpResult => ({
  site: 's1', ts: TS, duration_ms: 12.7, status, ...(status === 'ok' ? { system: { uptime_ticks: 360000, sys_name: 'r1', sys_descr: 'x', sys_object_id: '1.3' } } : { reason: 'no response' }), ...over,
});
const check = (over: Partial<SiteCheck>): SiteCheck => ({
  site: 's1', ts: TS, cycle: 2, recheck: false, ping: ping(5), snmp: snmp('ok'), uptime_s: 3600, rebooted: false, rebooted_at: null,
  interfaces: [
    { name: 'lte1', index: 1, oper_up: true, admin_up: true, speed_bps: 40e6, in_bps: 12_345_678.9, out_bps: 1e6, in_errors_ps: 0.0123, out_errors_ps: 0, in_discards_ps: 0, out_discards_ps: 0 },
    { name: 'bridge', index: 2, oper_up: true, admin_up: true, speed_bps: 1e9, in_bps: null, out_bps: null, in_errors_ps: null, out_errors_ps: null, in_discards_ps: null, out_discards_ps: null, note: 'first-sample' },
  ],
  wan: { name: 'lte1', chosen_by: 'name looks like a cellular modem' },
  ...over,
});

describe('toPollJson', () => {
  it('a healthy site: every contract field, rounded, the WAN flagged', () => {
    const j = toPollJson(check({}));
    expect(j).toEqual({
      site: 's1', cycle: 2, ts: '2026-01-01T12:00:00.000Z', reachable: true, recheck: false, unknown: null,
      ping: { status: 'ok', reason: null, sent: 5, received: 5, loss_pct: 0, rtt_min_ms: 1.23, rtt_avg_ms: 2.35, rtt_max_ms: 3.46, jitter_ms: 0.5 },
      snmp: {
        status: 'ok', reason: null, duration_ms: 13, uptime_s: 3600, rebooted: false, rebooted_at: null, sys_name: 'r1',
        wan: { name: 'lte1', chosen_by: 'name looks like a cellular modem' },
        interfaces: [
          { name: 'lte1', index: 1, oper_up: true, admin_up: true, wan: true, speed_bps: 40e6, in_bps: 12_345_679, out_bps: 1e6, in_errors_ps: 0.01, out_errors_ps: 0, in_discards_ps: 0, out_discards_ps: 0, note: null },
          { name: 'bridge', index: 2, oper_up: true, admin_up: true, wan: false, speed_bps: 1e9, in_bps: null, out_bps: null, in_errors_ps: null, out_errors_ps: null, in_discards_ps: null, out_discards_ps: null, note: 'first-sample' },
        ],
      },
    });
  });

  const cases: Array<{ name: string; first: Partial<SiteCheck>; recheck?: Partial<SiteCheck>; want: Record<string, unknown> }> = [
    {
      name: 'down, confirmed by the re-check',
      first: { ping: ping(0), snmp: snmp('timeout'), interfaces: [], wan: null, uptime_s: null },
      recheck: { recheck: true, ping: ping(0), snmp: snmp('timeout'), interfaces: [], wan: null, uptime_s: null },
      want: { reachable: false, recheck: true },
    },
    {
      name: 'a lost burst, cleared by the re-check',
      first: { ping: ping(0), snmp: snmp('timeout'), interfaces: [], wan: null },
      recheck: { recheck: true, ping: ping(4), snmp: snmp('ok') },
      want: { reachable: true, recheck: true },
    },
    { name: 'slow SNMP but pings: reachable', first: { snmp: snmp('timeout') }, want: { reachable: true, recheck: false } },
    { name: 'ping-only site', first: { snmp: null, interfaces: [], wan: null }, want: { reachable: true, snmp: null } },
    {
      name: 'fping did not run: unknown, and not reachable on ping alone',
      first: { ping: ping(0, { status: 'error', sent: 0, reason: 'fping did not run: ENOENT' }), snmp: null, unknown: 'fping did not run: ENOENT' },
      want: { reachable: false, unknown: 'fping did not run: ENOENT' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const first = check(c.first);
      expect(toPollJson(first, c.recheck ? check(c.recheck) : undefined)).toMatchObject(c.want);
    });
  }

  it('a reboot keeps its time', () => {
    const j = toPollJson(check({ rebooted: true, rebooted_at: TS - 60_000, uptime_s: 60 }));
    expect(j.snmp).toMatchObject({ rebooted: true, rebooted_at: '2026-01-01T11:59:00.000Z', uptime_s: 60 });
  });
});

describe('pairChecks', () => {
  it('pairs each first check with its re-check, in site order', () => {
    const a = check({ site: 'a' });
    const b = check({ site: 'b', ping: ping(0) });
    const b2 = check({ site: 'b', recheck: true });
    const c = check({ site: 'c' });
    expect(pairChecks([a, b, c, b2])).toEqual([{ first: a }, { first: b, recheck: b2 }, { first: c }]);
  });
});

describe('formatTable', () => {
  it('one header and one line per site, DOWN spelled out', () => {
    const lines = formatTable([toPollJson(check({})), toPollJson(check({ site: 's2', ping: ping(0), snmp: snmp('timeout'), interfaces: [], wan: null }), check({ site: 's2', recheck: true, ping: ping(0), snmp: snmp('timeout'), interfaces: [], wan: null }))]);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^SITE\s+CYCLE\s+REACH/);
    expect(lines[1]).toMatch(/^s1\s+2\s+up\s+0\s+2\.4\s+ok\s+1h0m\s+lte1\s+12\.35\s+1\.00/);
    expect(lines[2]).toMatch(/^s2 .*DOWN.*re-checked; snmp: no response/);
  });
  it('uptime', () => {
    expect(formatUptime(59)).toBe('0m59s');
    expect(formatUptime(3 * 86400 + 7200)).toBe('3d2h');
  });
});
