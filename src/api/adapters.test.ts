import { describe, expect, it } from 'vitest';
import type { SiteCheck } from '../core/types.js';
import type { History } from '../store/reader.js';
import type { CoverageReport as FullReport } from '../reports/coverage.js';
import { coverageRows, historyToSeries, LatestTracker } from './adapters.js';

const src = { rp: 'raw', bucketMs: 0 } as History['source'];

describe('historyToSeries', () => {
  const cases: Array<{ name: string; h: History; want: Array<{ t: number; values: Record<string, number | null> }> }> = [
    {
      name: 'ping fields, non-numbers become null',
      h: { site: 's', what: 'ping', source: src, series: [{ tags: {}, rows: [{ ts: 1, loss_pct: 0, rtt_avg_ms: 12.5, rtt_max_ms: null, jitter_ms: 'x', up: 1 }] }] },
      want: [{ t: 1, values: { loss_pct: 0, rtt_avg_ms: 12.5, rtt_max_ms: null, jitter_ms: null } }],
    },
    {
      name: 'bandwidth picks the WAN series whatever its position',
      h: { site: 's', what: 'bandwidth', source: src, series: [{ tags: { ifname: 'bridge', wan: 'false' }, rows: [{ ts: 1, in_bps: 9, out_bps: 9 }] }, { tags: { ifname: 'lte1', wan: 'true' }, rows: [{ ts: 1, in_bps: 5, out_bps: 2 }] }] },
      want: [{ t: 1, values: { in_bps: 5, out_bps: 2 } }],
    },
    {
      name: 'bandwidth without a WAN flag falls back to the first series',
      h: { site: 's', what: 'bandwidth', source: src, series: [{ tags: { ifname: 'ether1', wan: 'false' }, rows: [{ ts: 2, in_bps: 3, out_bps: 4 }] }] },
      want: [{ t: 2, values: { in_bps: 3, out_bps: 4 } }],
    },
    { name: 'no series at all', h: { site: 's', what: 'state', source: src, series: [] }, want: [] },
  ];
  it.each(cases)('$name', ({ h, want }) => {
    const s = historyToSeries(h, 0, 10);
    expect(s.points).toEqual(want);
    expect(s).toMatchObject({ what: h.what, from: 0, to: 10 });
  });
});

function check(over: Partial<SiteCheck>): SiteCheck {
  return { site: 'a', ts: 0, cycle: 1, recheck: false, ping: null, snmp: null, uptime_s: null, rebooted: false, rebooted_at: null, interfaces: [], wan: null, ...over };
}

describe('LatestTracker', () => {
  it('keeps the last reboot, uptime and WAN across checks that lack them', () => {
    const t = new LatestTracker();
    const wanIf = { name: 'lte1', index: 1, oper_up: true, admin_up: true, speed_bps: 1e7, in_bps: 5, out_bps: 6, in_errors_ps: 0, out_errors_ps: 0, in_discards_ps: 0, out_discards_ps: 0 };
    t.record([check({ ts: 10, uptime_s: 100, rebooted: true, rebooted_at: 7, interfaces: [wanIf], wan: { name: 'lte1', chosen_by: 'inventory' } })]);
    t.record([check({ ts: 20, ping: { site: 'a', ts: 20, status: 'timeout', sent: 5, received: 0, loss_pct: 100, rtt_min_ms: null, rtt_avg_ms: null, rtt_max_ms: null, jitter_ms: null } })]);
    expect(t.latest('a')).toEqual({ ts: 20, loss_pct: 100, rtt_avg_ms: null, jitter_ms: null, uptime_s: 100, last_reboot: 7, wan: { name: 'lte1', in_bps: 5, out_bps: 6, oper_up: true, speed_bps: 1e7 }, wireless_clients: null });
    expect(t.latest('b')).toBeNull();
  });
});

describe('coverageRows', () => {
  const area = (name: string, pct: number | null) => ({ level: 'commune', name, province: 'P', group: 'G', commune: name, sites: 2, sites_known: 2, sites_meeting_target: 1, availability_pct: pct, communes: 1, communes_covered: 1, coverage_pct: 100, classes: { live: 1, at_risk: 1, dropped_off: 0, unknown: 0 }, down_min: 5, incidents: 1, cause_min: { power: 1, link: 0, unknown: 0 }, traffic_gb_in: 1, traffic_gb_out: 0.5, worst: [] });
  const full = {
    from: 0, to: 1, generated_at: 1, resolution: 'raw', settings: {},
    sites: [{ site: 'a1', name: 'Site A1', commune: 'X', availability_pct: 97.5, class: 'live', down_min: 3, incidents: 1, mttr_min: 3, main_cause: 'power', median_rtt_ms: 30, median_loss_pct: 0, traffic_gb_in: 1, traffic_gb_out: 0.2, unknown_min: 0, maintenance_min: 0 }],
    communes: [area('X', 97.5), area('Y', null)],
    groups: [area('G', 90)],
    provinces: [],
    total: area('all', 93),
  } as unknown as FullReport;
  it('site rows carry the per-site columns, names and no nested objects', () => {
    const r = coverageRows(full, 'site', 95);
    expect(r.rows).toEqual([{ name: 'Site A1', site: 'a1', commune: 'X', availability_pct: 97.5, class: 'live', down_min: 3, unknown_min: 0, maintenance_min: 0, incidents: 1, mttr_min: 3, main_cause: 'power', median_rtt_ms: 30, median_loss_pct: 0, traffic_gb_in: 1, traffic_gb_out: 0.2 }]);
    expect(r).toMatchObject({ group_by: 'site', target_pct: 95, summary: { sites: 2, coverage_pct: 100, live: 1, at_risk: 1, resolution: 'raw' } });
  });
  it('commune and group rows come from the area lists; unknown availability stays null', () => {
    expect(coverageRows(full, 'commune', 95).rows.map((r) => [r.name, r.availability_pct])).toEqual([['X', 97.5], ['Y', null]]);
    expect(coverageRows(full, 'group', 95).rows.map((r) => r.name)).toEqual(['G']);
  });
});
