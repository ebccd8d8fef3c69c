/**
 * The push source feeding the real reducer: reports and silences of one push-only site, judged as
 * alerting judges them. Table-driven: each case is a timeline of reports (uptime, counters) and
 * moments of silence, and the states and alert effects it must produce.
 */
import { describe, expect, it } from 'vitest';
import { settingsWithDefaults, siteWithDefaults } from '../config/defaults.js';
import { initialSiteState, reduceSite, type SiteAlertState } from '../alerting/reducer.js';
import type { SiteCheck } from '../core/types.js';
import { PushSource } from './source.js';
import type { ParsedReport } from './report.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const settings = settingsWithDefaults({ push: { late_factor: 2.5, reports_per_interval: 4 } });
const pushSite = siteWithDefaults({ id: 'v4g', name: 'V', kind: 'cultural_house', province: 'P', district: 'D', commune: 'C', uplink: '4g', push: { interval_s: 60 } });

const report = (uptime_s: number, rx: bigint, extra: Partial<ParsedReport> = {}): ParsedReport => ({
  uptime_s,
  interfaces: [{ index: 1, name: 'wwan0', descr: 'wwan0', admin_up: true, oper_up: true, counter_bits: 64, in_octets: rx, out_octets: 0n, in_errors: 0n, out_errors: 0n, in_discards: 0n, out_discards: 0n, speed_bps: 50e6 }],
  wan: 'wwan0',
  ...extra,
});

type Ev = { at_s: number; report?: ParsedReport };
function play(events: Ev[]) {
  const src = new PushSource(settings, [pushSite], T0);
  let st: SiteAlertState = initialSiteState('v4g', T0);
  const out: Array<{ at_s: number; check: SiteCheck; state: string; effects: string[] }> = [];
  const judge = (c: SiteCheck, at_s: number) => {
    const r = reduceSite(st, c, { site: pushSite, settings, now: c.ts, parentDown: false, inMaintenance: false });
    st = r.state;
    out.push({ at_s, check: c, state: st.state, effects: r.effects.map((e) => (e.type === 'open' || e.type === 'resolve' ? `${e.type} ${e.kind}${e.type === 'resolve' ? ` (${e.cause})` : `: ${e.detail}`}` : e.type === 'transition' ? `${e.from}->${e.to}` : e.type)) });
  };
  // the silence timer looks every 5 s
  let t = 0;
  for (const ev of events) {
    for (; t < ev.at_s; t += 5) for (const c of src.silences(T0 + t * 1000)) judge(c, t);
    if (ev.report) judge(src.accept('v4g', ev.report, T0 + ev.at_s * 1000), ev.at_s);
  }
  return out;
}

describe('push source + reducer', () => {
  it('rates from counters: 7.5 MB in 60 s is 1 Mbit/s on wwan0 (the WAN)', () => {
    const o = play([{ at_s: 1, report: report(1000, 1_000_000n) }, { at_s: 61, report: report(1060, 8_500_000n) }]);
    const last = o.at(-1)!.check;
    expect(last.interfaces[0]).toMatchObject({ name: 'wwan0', in_bps: 1_000_000 });
    expect(last.wan?.name).toBe('wwan0');
    expect(o.map((x) => x.state)).toEqual(['UP', 'UP']);
  });

  const cases: Array<{ name: string; events: Ev[]; want: Array<[number, string, string[]]> }> = [
    {
      name: 'silence past interval × late_factor (150 s) is DOWN at once; the next report resolves it: link cut (uptime went on)',
      events: [{ at_s: 0, report: report(1000, 0n) }, { at_s: 300, report: report(1300, 0n) }],
      want: [[0, 'UP', ['UNKNOWN->UP']], [150, 'DOWN', ['UP->DOWN', 'open site-down: no push report for 150 s (every 60 s expected)']], [210, 'DOWN', []], [270, 'DOWN', []], [300, 'UP', ['DOWN->UP', 'resolve site-down (link)']]],
    },
    {
      name: 'a report back with a smaller uptime: the router rebooted, power cut',
      events: [{ at_s: 0, report: report(100_000, 0n) }, { at_s: 200, report: report(30, 0n) }],
      want: [[0, 'UP', ['UNKNOWN->UP']], [150, 'DOWN', ['UP->DOWN', 'open site-down: no push report for 150 s (every 60 s expected)']], [200, 'UP', ['reboot', 'DOWN->UP', 'resolve site-down (power)']]],
    },
    {
      name: 'late but within the factor: nothing happens',
      events: [{ at_s: 0, report: report(10, 0n) }, { at_s: 145, report: report(155, 0n) }],
      want: [[0, 'UP', ['UNKNOWN->UP']], [145, 'UP', []]],
    },
    {
      name: 'weak signal for degraded_after (3) reports: DEGRADED, weak-signal names the figure',
      events: [0, 60, 120, 180].map((s) => ({ at_s: s, report: report(10 + s, 0n, { lte: { rsrp_dbm: -118, sinr_db: 5 } }) })),
      want: [[0, 'UP', ['UNKNOWN->UP']], [60, 'UP', []], [120, 'DEGRADED', ['UP->DEGRADED', 'open weak-signal: rsrp_dbm -118 < -110 for 3 checks']], [180, 'DEGRADED', []]],
    },
    {
      name: 'quota exhausted, then topped up: quota-exhausted opens and resolves',
      events: [0, 60, 120, 180, 240].map((s) => ({ at_s: s, report: report(10 + s, 0n, { quota_exhausted: s < 180 }) })),
      want: [[0, 'UP', ['UNKNOWN->UP']], [60, 'UP', []], [120, 'DEGRADED', ['UP->DEGRADED', 'open quota-exhausted: quota_exhausted: the router reports its data package used up for 3 checks']], [180, 'DEGRADED', []], [240, 'UP', ['DEGRADED->UP', 'resolve quota-exhausted (unknown)']]],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(play(c.events).map((x) => [x.at_s, x.state, x.effects])).toEqual(c.want);
    });
  }

  it('a site that was never heard of is silent only after a full deadline from the start', () => {
    const src = new PushSource(settings, [pushSite], T0);
    expect(src.silences(T0 + 149_000)).toEqual([]);
    // the first silence stands for the 90 s after the last report's interval, the next ones for an interval each
    expect(src.silences(T0 + 150_000).map((c) => c.push)).toEqual([{ status: 'silent', late_s: 150, interval_s: 60, covers_s: 90 }]);
    expect(src.silences(T0 + 210_000).map((c) => c.push)).toEqual([{ status: 'silent', late_s: 210, interval_s: 60, covers_s: 60 }]);
  });

  it('a site also polled (it has a host) is never silent here; with SNMP its interfaces are the poller\'s', () => {
    const pingOnly = siteWithDefaults({ ...pushSite, id: 'ping', host: '192.0.2.1' });
    const snmpToo = siteWithDefaults({ ...pushSite, id: 'snmp', host: '192.0.2.2', snmp: { version: '2c', community: 'c' } });
    const src = new PushSource(settings, [pingOnly, snmpToo], T0);
    expect(src.silences(T0 + 3_600_000)).toEqual([]);
    expect(src.accept('ping', report(1, 5n), T0).interfaces.map((i) => i.name)).toEqual(['wwan0']);
    expect(src.accept('snmp', report(1, 5n), T0).interfaces).toEqual([]);
  });

  it('replay floor after a start: a report signed in the start second is fresh, one signed before it is not', () => {
    const src = new PushSource(settings, [pushSite], T0 + 400);
    const startS = Math.floor((T0 + 400) / 1000);
    expect(src.isReplay('v4g', startS, 'sha256=a')).toBe(false);
    expect(src.isReplay('v4g', startS - 1, 'sha256=a')).toBe(true);
  });

  it('replays: the same signed report again, or one signed before the newest accepted second; two reports in one second are not', () => {
    const src = new PushSource(settings, [pushSite], T0);
    const ts = Math.floor(T0 / 1000) + 5;
    expect(src.admit('v4g', ts, 'sha256=first', T0 + 5_000).ok).toBe(true);
    expect(src.isReplay('v4g', ts, 'sha256=first')).toBe(true);
    // a router that reports twice within one second (a retry, a manual run): another body, another signature
    expect(src.isReplay('v4g', ts, 'sha256=second')).toBe(false);
    expect(src.admit('v4g', ts, 'sha256=second', T0 + 5_100).ok).toBe(true);
    expect(src.isReplay('v4g', ts, 'sha256=second')).toBe(true);
    expect(src.isReplay('v4g', ts - 1, 'sha256=older')).toBe(true);
    // a later second starts afresh: the earlier second is closed entirely
    expect(src.admit('v4g', ts + 1, 'sha256=third', T0 + 6_000).ok).toBe(true);
    expect(src.isReplay('v4g', ts, 'sha256=never-seen')).toBe(true);
    expect(src.isReplay('v4g', ts + 1, 'sha256=fourth')).toBe(false);
  });

  it('a report refused for the rate limit is not burnt: sent again once the budget refills, it is accepted', () => {
    const src = new PushSource(settings, [pushSite], T0);
    const ts = Math.floor(T0 / 1000) + 1;
    for (let i = 0; i < 4; i++) expect(src.admit('v4g', ts, `sha256=${i}`, T0 + 1_000).ok).toBe(true);
    expect(src.admit('v4g', ts, 'sha256=late', T0 + 1_001).ok).toBe(false);
    expect(src.isReplay('v4g', ts, 'sha256=late')).toBe(false);
    expect(src.admit('v4g', ts, 'sha256=late', T0 + 20_000).ok).toBe(true);
    expect(src.isReplay('v4g', ts, 'sha256=late')).toBe(true);
  });

  it('rate limit: reports_per_interval as a burst, then one per interval / reports_per_interval', () => {
    const src = new PushSource(settings, [pushSite], T0);
    const r = [0, 1, 2, 3, 4].map((i) => src.admit('v4g', 1_800_000_000 + i, `sha256=${i}`, T0 + i));
    expect(r.map((x) => x.ok)).toEqual([true, true, true, true, false]);
    expect(r[4]).toEqual({ ok: false, retry_after_s: 15 });
    expect(src.admit('v4g', 1_800_000_100, 'sha256=x', T0 + 15_000).ok).toBe(true);
    // every admitted timestamp raised the replay floor
    expect(src.floor('v4g')).toBe(1_800_000_100);
  });
});
