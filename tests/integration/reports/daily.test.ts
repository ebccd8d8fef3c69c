/**
 * The daily rollup against a real influxd: 100 days of checks for 12 sites (a check every hour)
 * written through the REAL writer, `site_state` and `ping` tagged with `svc` by the real tagger
 * (createServiceTagger) except for the first 10 days (data written before the tag existed);
 * rolled up with the real backfill (1h from raw, then 1d from 1h: the CQs' SELECT INTO). Then:
 *  - the report over the period (auto) reads whole days from rollup_1d and the rest from
 *    rollup_1h (the untagged days, the partial UTC days at the local-midnight edges), and its
 *    figures equal the report forced onto rollup_1h: availability to 0.1 pp (in fact ~1e-9),
 *    downtime, unreachable, maintenance, unknown minutes, traffic, classes, and the hub's
 *    downstream UNREACHABLE time (per-day rows for the root-cause walk); p09 is added mid-period;
 *  - both equal the availability computed independently from the schedule (UTC+7 arithmetic);
 *  - with other service hours in the settings no day matches the tag: the report says rollup_1h
 *    and still matches its own independent expectation.
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
import { check as makeCheck } from '../../../src/alerting/testkit.js';
import { pointsForCheck, statePoint, type Point } from '../../../src/store/points.js';
import type { SiteStateName } from '../../../src/store/schema.js';
import { createWriter } from '../../../src/store/writer.js';
import { createInflux } from '../../../src/store/client.js';
import { backfillRollups } from '../../../src/store/backfill.js';
import { runCoverageReport } from '../../../src/reports/run.js';
import type { CoverageReport } from '../../../src/reports/coverage.js';
import { createServiceTagger } from '../../../src/reports/service-tag.js';

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
const STEP = 60 * MIN;
const DAYS = 100;
const UNTAGGED_DAYS = 10;
// local midnight in Vietnam (17:00 UTC), ~4 months ago (inside the raw retention of this test)
const FROM = Math.floor(Date.now() / DAY) * DAY - 130 * DAY - 7 * H;
const TO = FROM + DAYS * DAY;
const NOW = TO + 3 * DAY;

/** Independent of src/reports: local hour in Vietnam is UTC + 7. */
const localHour = (t: number) => (new Date(t).getUTCHours() + 7) % 24;
const dayOf = (t: number) => Math.floor((t - FROM) / DAY);

function rnd(a: number, b: number): number {
  let x = (a * 374761393 + b * 668265263) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 1274126177) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
}

const SITES: Site[] = [siteWithDefaults({
  id: 'hub', name: 'Hub', kind: 'other', province: 'Lào Cai', group: 'Bát Xát', commune: 'Y Tý', host: '192.0.2.1', snmp: false, uplink: 'fibre',
})];
for (let i = 1; i <= 11; i++) {
  SITES.push(siteWithDefaults({
    id: `p${String(i).padStart(2, '0')}`, name: `Điểm ${i}`, kind: 'cultural_house', province: 'Lào Cai',
    group: i <= 5 ? 'Bát Xát' : 'Sa Pa', commune: i % 2 ? 'Y Tý' : 'Tả Van', host: `192.0.2.${10 + i}`, snmp: false, uplink: '4g',
    ...(i <= 5 ? { parent: 'hub' } : {}),
    // p09 added on day 50 (a local date: counted from that local midnight)
    ...(i === 9 ? { added: new Date(FROM + 50 * DAY + 7 * H).toISOString().slice(0, 10) } : {}),
  }));
}
const INVENTORY: Inventory = { sites: SITES, areas: [] };
const NEVER_POLLED = new Set(['p10']);
const addedAt = (s: Site) => (s.added ? FROM + 50 * DAY : FROM);

type Own = 'up' | 'down' | 'degraded' | 'unknown' | 'maintenance';
/** The schedule: deterministic outages of every kind, across service-hour edges and day edges. */
function ownState(site: string, t: number): Own {
  const d = dayOf(t);
  const h = localHour(t);
  const idx = SITES.findIndex((s) => s.id === site);
  if (site === 'hub') return (d === 15 || d === 40 || d === 95) && h >= 10 && h < 13 ? 'down' : 'up';
  if (site === 'p11' && d >= DAYS - 10) return 'down'; // dropped off
  if (site === 'p02' && rnd(idx, d) < 0.3 && h >= 8 && h < 12) return 'maintenance';
  if (site === 'p03' && rnd(idx, d) < 0.1) return 'unknown';
  if (site === 'p04' && rnd(idx, d) < 0.2) return 'degraded';
  const r = rnd(idx, d * 7 + 1);
  if (r < 0.35) {
    // an outage of 1-5 h starting anywhere from 04:00 to 23:00 local (some cross 06:00, 22:00 and midnight)
    const start = 4 + Math.floor(rnd(d, idx) * 20);
    const len = 1 + Math.floor(rnd(d + 1, idx) * 5);
    const hh = (h - start + 24) % 24;
    if (hh < len) return 'down';
  }
  return 'up';
}

/** Expected availability from the schedule alone: UP ÷ (checks − maintenance − unknown − parent down), in service hours. */
function expectedAvailability(site: Site, startH: number, endH: number): number | null {
  let up = 0, counted = 0;
  for (let t = addedAt(site); t < TO; t += STEP) {
    const h = localHour(t);
    if (!(h >= startH && h < endH)) continue;
    const own = ownState(site.id, t);
    if (own === 'maintenance' || own === 'unknown') continue;
    if (site.parent && ownState(site.parent, t) === 'down') continue;
    counted++;
    if (own !== 'down') up++;
  }
  return counted ? (100 * up) / counted : null;
}

let influxd: Influxd;
let dir: string;
let settings: Settings;
const reports = new Map<string, CoverageReport>();

function settingsFor(hours: { start: string; end: string }): Settings {
  return settingsWithDefaults({
    influx: { url: influxd.url, database: 'pwdaily', batch_size: 20_000, retention: { raw: '400d', rollup_5m: '400d', rollup_1h: '1825d', resample_for: '1h' } },
    poller: { snmp: { interfaces_interval_s: STEP / 1000 } },
    reports: { timezone: 'Asia/Ho_Chi_Minh', service_hours: hours, target_pct: 95, dropped_off_days: 7 },
  });
}

beforeAll(async () => {
  influxd = await startInfluxd();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-reports-daily-'));
  settings = settingsFor({ start: '06:00', end: '22:00' });
  const t0 = Date.now();
  const clock = new ManualClock(FROM);
  const writer = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir: dir, logger: silentLogger(), clock, strict: true, ensureSchema: { cqEvery: '1h' } });
  const svc = createServiceTagger(settings.reports.service_hours, settings.reports.timezone);
  const byId = new Map(SITES.map((s) => [s.id, s]));
  let cycle = 0;
  for (let t = FROM; t < TO; t += STEP) {
    clock.set(t);
    cycle++;
    const tagger = t < FROM + UNTAGGED_DAYS * DAY ? undefined : svc;
    const points: Point[] = [];
    for (const s of SITES) {
      if (NEVER_POLLED.has(s.id) || t < addedAt(s)) continue;
      const own = ownState(s.id, t);
      const parentDown = s.parent ? ownState(s.parent, t) === 'down' : false;
      const state: SiteStateName = own === 'unknown' ? 'UNKNOWN' : own === 'maintenance' ? 'MAINTENANCE'
        : own === 'down' ? 'DOWN' : parentDown ? 'UNREACHABLE' : own === 'degraded' ? 'DEGRADED' : 'UP';
      const reachable = state === 'UP' || state === 'DEGRADED' || state === 'MAINTENANCE';
      const c = makeCheck(s.id, {
        ts: t, cycle, snmp: 'none',
        ...(own === 'unknown' ? { pingError: 'fping failed to run' } : reachable ? { received: own === 'degraded' ? 2 : 5, rtt: 20 + (cycle % 11) } : { received: 0 }),
        wan: reachable ? { in_bps: 1e6 * (1 + byId.get(s.id)!.id.charCodeAt(2) / 50) + (cycle % 13) * 1e4, out_bps: 2e5 } : null,
      });
      points.push(...pointsForCheck(s, c, tagger));
      points.push(statePoint(s, t, state, STEP / 1000, tagger));
    }
    writer.write(points);
  }
  await writer.flush();
  expect(writer.stats()).toMatchObject({ rejected: 0, spooled: 0 });
  await writer.close();
  const t1 = Date.now();
  const influx = createInflux(settings.influx);
  await backfillRollups(influx, settings.influx, { from: FROM, to: TO }, { chunkMs: 50 * DAY, targets: ['1h', '1d'] });
  const t2 = Date.now();
  const run = (key: string, s: Settings, resolution: 'auto' | 'rollup_1h') =>
    runCoverageReport({ from: FROM, to: TO, resolution }, { settings: s, inventory: INVENTORY, influx, clock: new ManualClock(NOW) }).then((r) => reports.set(key, r));
  await run('auto', settings, 'auto');
  await run('1h', settings, 'rollup_1h');
  const other = settingsFor({ start: '07:00', end: '19:00' });
  await run('other-hours', other, 'auto');
  process.stderr.write(`daily test timings (ms): write ${t1 - t0}, backfill ${t2 - t1}, reports ${Date.now() - t2}\n`);
}, 240_000);

afterAll(async () => {
  await influxd?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a 100-day report from the daily rollup', () => {
  it('reads whole days from rollup_1d; the untagged first days and the partial UTC days at the edges from rollup_1h', () => {
    const r = reports.get('auto')!;
    expect(r.resolution).toBe('rollup_1d');
    const utcDay = (t: number) => Math.floor(t / DAY) * DAY;
    expect(r.sources).toEqual([
      // the untagged days (and the UTC day they end in) fall back
      { resolution: 'rollup_1h', from: FROM, to: utcDay(FROM + UNTAGGED_DAYS * DAY) + DAY },
      { resolution: 'rollup_1d', from: utcDay(FROM + UNTAGGED_DAYS * DAY) + DAY, to: utcDay(TO) },
      { resolution: 'rollup_1h', from: utcDay(TO), to: TO },
    ]);
    expect(reports.get('1h')!.resolution).toBe('rollup_1h');
  });

  it.each(SITES.map((s) => ({ id: s.id })))('$id: the same figures as from the 1-hour rollup', ({ id }) => {
    const d = reports.get('auto')!.sites.find((s) => s.site === id)!;
    const h = reports.get('1h')!.sites.find((s) => s.site === id)!;
    if (h.availability_pct === null) expect(d.availability_pct).toBeNull();
    else expect(Math.abs(d.availability_pct! - h.availability_pct)).toBeLessThanOrEqual(0.1);
    for (const k of ['down_min', 'up_min', 'checked_min', 'unreachable_min', 'unknown_min', 'maintenance_min', 'no_data_min', 'service_min'] as const) {
      expect(Math.abs(d[k] - h[k]), k).toBeLessThanOrEqual(0.1);
    }
    expect(d.class).toBe(h.class);
    if (h.traffic_gb_in === null) expect(d.traffic_gb_in).toBeNull();
    else {
      expect(Math.abs(d.traffic_gb_in! - h.traffic_gb_in)).toBeLessThanOrEqual(Math.max(0.001, h.traffic_gb_in * 1e-6));
      expect(Math.abs(d.traffic_gb_out! - h.traffic_gb_out!)).toBeLessThanOrEqual(Math.max(0.001, h.traffic_gb_out! * 1e-6));
    }
  });

  it.each(SITES.map((s) => ({ id: s.id, site: s })))('$id: availability matches the schedule to 0.1 pp', ({ site }) => {
    const got = reports.get('auto')!.sites.find((s) => s.site === site.id)!;
    const want = expectedAvailability(site, 6, 22);
    if (NEVER_POLLED.has(site.id)) {
      expect(got.availability_pct).toBeNull();
      return;
    }
    expect(want).not.toBeNull();
    expect(Math.abs(got.availability_pct! - want!), `${site.id}: got ${got.availability_pct} want ${want}`).toBeLessThanOrEqual(0.1);
  });

  it('the schedule really hurts, and the hub carries its children\'s UNREACHABLE time (per day in the daily rollup)', () => {
    const r = reports.get('auto')!;
    const by = (id: string) => r.sites.find((s) => s.site === id)!;
    expect(by('p11').class).toBe('dropped_off');
    expect(r.sites.filter((s) => s.availability_pct !== null && s.availability_pct < 99).length).toBeGreaterThan(3);
    expect(by('hub').downstream_unreachable_min).toBeCloseTo(reports.get('1h')!.sites.find((s) => s.site === 'hub')!.downstream_unreachable_min, 0);
    expect(by('hub').downstream_unreachable_min).toBeGreaterThan(3 * 180 * 4);
    expect(by('p02').maintenance_min).toBeGreaterThan(0);
    expect(by('p03').unknown_min).toBeGreaterThan(0);
    expect(by('p01').median_rtt_ms).toBeGreaterThanOrEqual(20);
    expect(by('p01').median_rtt_ms).toBeLessThanOrEqual(30);
  });

  it('with other service hours than the data was tagged with, no day is read from rollup_1d, and the figures are still right', () => {
    const r = reports.get('other-hours')!;
    expect(r.resolution).toBe('rollup_1h');
    expect(r.sources).toBeUndefined();
    for (const s of SITES) {
      if (NEVER_POLLED.has(s.id)) continue;
      const got = r.sites.find((x) => x.site === s.id)!.availability_pct!;
      const want = expectedAvailability(s, 7, 19)!;
      expect(Math.abs(got - want), s.id).toBeLessThanOrEqual(0.1);
    }
  });
});
