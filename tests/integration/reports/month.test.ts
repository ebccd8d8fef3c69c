/**
 * A month of checks for 20 sites, with known injected outages, fed through the REAL state reducer
 * (evaluateBatch, parents first) and the REAL writer on a simulated clock (ManualClock; points with
 * past timestamps) into a REAL influxd; rolled up with the real backfill (the CQs' SELECT INTO);
 * then the coverage report through the real query path (runCoverageReport), compared with the
 * availability the test computes on its own from the injected schedule (plain arithmetic on the
 * UTC+7 clock, not the report's service-hours code) to 0.1 percentage points.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import { ManualClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { settingsWithDefaults, siteWithDefaults } from '../../../src/config/defaults.js';
import type { Inventory, Settings, Site } from '../../../src/config/schema.js';
import { buildGraph, evaluateBatch } from '../../../src/alerting/dependencies.js';
import { check as makeCheck } from '../../../src/alerting/testkit.js';
import type { SiteAlertState } from '../../../src/alerting/reducer.js';
import { eventPoint, pointsForCheck, statePoint } from '../../../src/store/points.js';
import { createWriter } from '../../../src/store/writer.js';
import { createInflux } from '../../../src/store/client.js';
import { backfillRollups } from '../../../src/store/backfill.js';
import { runCoverageReport } from '../../../src/reports/run.js';
import type { CoverageReport } from '../../../src/reports/coverage.js';

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
const STEP = 10 * MIN; // one check every 10 minutes
// October 2026 in Asia/Ho_Chi_Minh (UTC+7, no DST): 2026-10-01 00:00 local = 2026-09-30 17:00 UTC
const FROM = Date.UTC(2026, 8, 30, 17);
const DAYS = 31;
const TO = FROM + DAYS * DAY;

/** Independent of src/reports: local hour in Vietnam is UTC + 7, service 06:00-22:00. */
const inService = (t: number) => { const h = (new Date(t).getUTCHours() + 7) % 24; return h >= 6 && h < 22; };
const at = (day: number, localHour: number, min = 0) => FROM + day * DAY + localHour * H + min * MIN;

type Kind = 'down' | 'degraded' | 'unknown' | 'maintenance';
interface Injected { site: string; kind: Kind; from: number; to: number }

// ---- the fleet: a hub (point of presence of the Bát Xát group) and 19 points in 4 communes, 2 groups (former districts)
const communes = [
  { group: 'Bát Xát', commune: 'Y Tý' }, { group: 'Bát Xát', commune: 'A Mú Sung' },
  { group: 'Sa Pa', commune: 'Tả Van' }, { group: 'Sa Pa', commune: 'Bản Hồ' },
];
const SITES: Site[] = [siteWithDefaults({
  id: 'hub', name: 'Trạm Bát Xát', kind: 'other', province: 'Lào Cai', group: 'Bát Xát', commune: 'Y Tý',
  host: '192.0.2.1', snmp: false, uplink: 'fibre',
})];
for (let i = 1; i <= 19; i++) {
  const c = communes[i % communes.length]!;
  SITES.push(siteWithDefaults({
    id: `p${String(i).padStart(2, '0')}`, name: `Điểm ${i}`, kind: 'cultural_house', province: 'Lào Cai', ...c,
    host: `192.0.2.${10 + i}`, snmp: false, uplink: '4g',
    ...(c.group === 'Bát Xát' ? { parent: 'hub' } : {}),
    ...(i === 7 ? { added: '2026-10-15' } : {}),
  }));
}
const INVENTORY: Inventory = { sites: SITES, areas: [] };

// ---- the injected schedule
const INJECTED: Injected[] = [
  // the hub: 3 h power cut on day 3 (its Bát Xát children are UNREACHABLE, not down)
  { site: 'hub', kind: 'down', from: at(3, 9), to: at(3, 12) },
  // p01: daily 3 h outage 12:00-15:00 for 10 days → 30 of 496 service hours: below target
  ...Array.from({ length: 10 }, (_, d) => ({ site: 'p01', kind: 'down' as const, from: at(d, 12), to: at(d, 15) })),
  // p02: one long outage of 2 days
  { site: 'p02', kind: 'down', from: at(10, 8), to: at(12, 8) },
  // p03: outages only at night (outside service hours): 100 %
  ...Array.from({ length: 20 }, (_, d) => ({ site: 'p03', kind: 'down' as const, from: at(d, 0, 30), to: at(d, 4) })),
  // p04: maintenance 08:00-12:00 on 5 days (excluded) and a 1 h outage
  ...Array.from({ length: 5 }, (_, d) => ({ site: 'p04', kind: 'maintenance' as const, from: at(d + 1, 8), to: at(d + 1, 12) })),
  { site: 'p04', kind: 'down', from: at(20, 15), to: at(20, 16) },
  // p05: poller could not check (UNKNOWN) for a day, plus a 5 h outage
  { site: 'p05', kind: 'unknown', from: at(4, 0), to: at(5, 0) },
  { site: 'p05', kind: 'down', from: at(6, 10), to: at(6, 15) },
  // p06: degraded (high loss) for days: still usable, counts as up
  { site: 'p06', kind: 'degraded', from: at(2, 7), to: at(9, 7) },
  // p07: added on 2026-10-15 (polled from then), one 4 h outage after
  { site: 'p07', kind: 'down', from: at(20, 9), to: at(20, 13) },
  // p08: dropped off: down for the last 10 days
  { site: 'p08', kind: 'down', from: at(21, 0), to: TO },
  // p09: many short outages (30 min every other day at 17:00)
  ...Array.from({ length: 15 }, (_, d) => ({ site: 'p09', kind: 'down' as const, from: at(2 * d, 17), to: at(2 * d, 17, 30) })),
];
/** p10 is never polled: its availability must be UNKNOWN. */
const NEVER_POLLED = new Set(['p10']);
const addedAt = (s: Site) => (s.added ? at(14, 0) : FROM); // 2026-10-15 local midnight

function stateOf(siteId: string, t: number): Kind | 'up' {
  for (const i of INJECTED) if (i.site === siteId && t >= i.from && t < i.to) return i.kind;
  return 'up';
}

/** The expectation, from the schedule alone: UP ÷ (checks − maintenance − unknown − parent down). */
function expectedAvailability(site: Site): number | null {
  let up = 0, counted = 0;
  for (let t = Math.max(FROM, addedAt(site)); t < TO; t += STEP) {
    if (!inService(t)) continue;
    const own = stateOf(site.id, t);
    if (own === 'maintenance' || own === 'unknown') continue;
    if (site.parent && stateOf(site.parent, t) === 'down') continue; // the parent's time
    counted++;
    if (own !== 'down') up++;
  }
  return counted ? (100 * up) / counted : null;
}

let influxd: Influxd;
let dir: string;
let settings: Settings;
const reports = new Map<string, CoverageReport>();
const timings: Record<string, number> = {};

beforeAll(async () => {
  influxd = await startInfluxd();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-reports-month-'));
  settings = settingsWithDefaults({
    influx: { url: influxd.url, database: 'pwreports', batch_size: 20_000, retention: { raw: '400d', rollup_5m: '400d', rollup_1h: '1825d', resample_for: '1h' } },
    poller: { snmp: { interfaces_interval_s: STEP / 1000 } },
    reports: { timezone: 'Asia/Ho_Chi_Minh', service_hours: { start: '06:00', end: '22:00' }, target_pct: 95, dropped_off_days: 7 },
  });
  const t0 = Date.now();
  const clock = new ManualClock(FROM);
  const writer = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir: dir, logger: silentLogger(), clock, strict: true, ensureSchema: { cqEvery: '1h' } });
  const graph = buildGraph(SITES);
  let states = new Map<string, SiteAlertState>();
  const byId = new Map(SITES.map((s) => [s.id, s]));
  let incidentId = 0;
  const open = new Map<string, number>();
  let cycle = 0;
  for (let t = FROM; t < TO; t += STEP) {
    clock.set(t);
    cycle++;
    const checks = [];
    for (const s of SITES) {
      if (NEVER_POLLED.has(s.id) || t < addedAt(s)) continue;
      const own = stateOf(s.id, t);
      const parentDown = s.parent ? stateOf(s.parent, t) === 'down' : false;
      const spec = own === 'unknown' ? { unknown: 'fping failed to run' }
        : own === 'down' || parentDown ? { received: 0 }
          : own === 'degraded' ? { received: 2, rtt: 80 }
            : { received: 5, rtt: 30 + (cycle % 7) };
      checks.push(makeCheck(s.id, { ts: t, cycle, ...spec, snmp: 'none', wan: own === 'down' || parentDown || own === 'unknown' ? null : { in_bps: 1e6, out_bps: 2e5 } }));
    }
    const r = evaluateBatch(graph, states, checks, (site, ts) => ({
      settings, now: ts, inMaintenance: stateOf(site.id, ts) === 'maintenance',
    }), t);
    states = r.states;
    const points = [];
    for (const c of checks) points.push(...pointsForCheck(byId.get(c.site)!, c));
    for (const pc of r.perCheck) points.push(statePoint(byId.get(pc.site)!, pc.ts, pc.state, STEP / 1000));
    for (const { site, effect } of r.effects) {
      const s = byId.get(site)!;
      if (effect.type === 'open' && (effect.kind === 'site-down' || effect.kind === 'power-cut-suspected')) {
        const id = ++incidentId;
        open.set(site, id);
        points.push(eventPoint(s, effect.ts, 'incident_open', { incident_id: id, cause: 'unknown', text: effect.detail }));
      } else if (effect.type === 'resolve' && open.has(site) && (effect.kind === 'site-down' || effect.kind === 'power-cut-suspected')) {
        points.push(eventPoint(s, effect.ts, 'incident_resolve', { incident_id: open.get(site)!, cause: effect.cause, text: effect.detail }));
        open.delete(site);
      }
    }
    writer.write(points);
  }
  await writer.flush();
  const stats = writer.stats();
  expect(stats.rejected).toBe(0);
  expect(stats.spooled).toBe(0);
  await writer.close();
  const t1 = Date.now();
  const influx = createInflux(settings.influx);
  await backfillRollups(influx, settings.influx, { from: FROM, to: TO }, { chunkMs: 8 * DAY, measurements: ['site_state'] });
  const t2 = Date.now();
  for (const resolution of ['auto', 'raw', 'rollup_1h'] as const) {
    const t = Date.now();
    reports.set(resolution, await runCoverageReport(
      { from: '2026-10-01', to: '2026-10-31', resolution },
      { settings, inventory: INVENTORY, influx, clock: new ManualClock(TO + H) },
    ));
    timings[`report ${resolution}`] = Date.now() - t;
  }
  timings.write = t1 - t0;
  timings.backfill = t2 - t1;
  process.stderr.write(`month test timings (ms): ${JSON.stringify(timings)}\n`);
}, 180_000);

afterAll(async () => {
  await influxd?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a month of checks with injected outages', () => {
  it('auto picks the 5-minute rollup for a month', () => {
    expect(reports.get('auto')!.resolution).toBe('rollup_5m');
    expect(reports.get('auto')!.from).toBe(FROM);
    expect(reports.get('auto')!.to).toBe(TO);
  });

  for (const resolution of ['auto', 'raw', 'rollup_1h'] as const) {
    it.each(SITES.map((s) => ({ id: s.id, site: s })))(`[${resolution}] $id matches the schedule to 0.1 pp`, ({ site }) => {
      const got = reports.get(resolution)!.sites.find((x) => x.site === site.id)!;
      const want = expectedAvailability(site);
      if (NEVER_POLLED.has(site.id)) {
        expect(got.availability_pct).toBeNull();
        expect(got.class).toBe('unknown');
        return;
      }
      expect(want).not.toBeNull();
      expect(got.availability_pct).not.toBeNull();
      expect(Math.abs(got.availability_pct! - want!), `${site.id}: got ${got.availability_pct} want ${want}`).toBeLessThanOrEqual(0.1);
    });
  }

  it('the schedule really hurts: p01, p02 and p08 miss the target; p03 (night outages) and p06 (degraded) do not', () => {
    const r = reports.get('auto')!;
    const by = (id: string) => r.sites.find((s) => s.site === id)!;
    expect(by('p01').meets_target).toBe(false);
    expect(by('p02').meets_target).toBe(false);
    expect(by('p03').availability_pct).toBe(100);
    expect(by('p06').availability_pct).toBe(100);
    expect(by('p08').class).toBe('dropped_off');
    expect(by('p01').class).toBe('at_risk');
  });

  it('the hub carries its children\'s UNREACHABLE time; the children are not charged', () => {
    const r = reports.get('auto')!;
    const hub = r.sites.find((s) => s.site === 'hub')!;
    const children = r.sites.filter((s) => s.parent === 'hub' && s.site !== 'p07');
    expect(hub.down_min).toBeGreaterThanOrEqual(170);
    for (const c of children.filter((c) => !['p01', 'p02', 'p08', 'p03', 'p04', 'p05', 'p06', 'p09'].includes(c.site))) {
      expect(c.availability_pct, c.site).toBe(100);
      expect(c.unreachable_min, c.site).toBeGreaterThan(150);
    }
    expect(hub.downstream_unreachable_min).toBeGreaterThan(150 * children.length * 0.9);
  });

  it('maintenance and UNKNOWN time are reported, not counted', () => {
    const r = reports.get('auto')!;
    expect(r.sites.find((s) => s.site === 'p04')!.maintenance_min).toBeCloseTo(5 * 4 * 60, -1);
    expect(r.sites.find((s) => s.site === 'p05')!.unknown_min).toBeCloseTo(16 * 60, -1);
  });

  it('a site added mid-period counts only since it was added', () => {
    const p07 = reports.get('auto')!.sites.find((s) => s.site === 'p07')!;
    expect(p07.service_min).toBe(17 * 16 * 60);
    expect(p07.no_data_min).toBeLessThan(30);
  });

  it('incidents come from the incident events, with recovery times', () => {
    const r = reports.get('auto')!;
    const p02 = r.sites.find((s) => s.site === 'p02')!;
    expect(p02.incidents).toBe(1);
    expect(p02.mttr_min).toBeGreaterThan(47 * 60);
    expect(p02.mttr_min).toBeLessThan(49 * 60);
    expect(r.sites.find((s) => s.site === 'p01')!.incidents).toBe(10);
  });

  it('traffic is counted from the WAN interface; latency and loss are medians (raw data)', () => {
    // only site_state is rolled up in this test (to keep it fast): traffic and ping come from raw
    const p11 = reports.get('raw')!.sites.find((s) => s.site === 'p11')!;
    expect(p11.median_rtt_ms).toBeGreaterThanOrEqual(30);
    expect(p11.median_rtt_ms).toBeLessThanOrEqual(36);
    expect(p11.median_loss_pct).toBe(0);
    // 1 Mbit/s in for the whole month (the hub outage aside)
    const expectedGb = (1e6 / 8) * (DAYS * 86_400) / 1e9;
    expect(p11.traffic_gb_in!).toBeGreaterThan(expectedGb * 0.98);
    expect(p11.traffic_gb_in!).toBeLessThanOrEqual(expectedGb * 1.001);
  });

  it('the coverage figure: communes with at least one point meeting the target', () => {
    const r = reports.get('auto')!;
    expect(r.total.communes).toBe(4);
    expect(r.total.communes_covered).toBe(4);
    expect(r.total.worst[0]!.site).toBe('p08');
    expect(r.provinces).toHaveLength(1);
  });
});
