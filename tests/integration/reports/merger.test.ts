/**
 * A coverage report over two weeks that span the 2025 reform (1 July 2025), against a REAL influxd
 * holding a MIXED database, as after an upgrade:
 * - before 1 July, points written by a pointwatch of before: a `district` tag on every point, and
 *   the commune as it was then (Trịnh Tường, since merged into Y Tý);
 * - from 1 July, points written by this one for a two-tier inventory (no district, no group,
 *   Trịnh Tường's sites now in Y Tý).
 * The report, run with today's inventory, must put every point of a site on its CURRENT commune,
 * keep Y Tý of Lào Cai apart from Y Tý of Điện Biên, and show no commune that no longer exists.
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
import { InputError } from '../../../src/core/errors.js';
import { statePoint, type Point } from '../../../src/store/points.js';
import { toLines } from '../../../src/store/line-protocol.js';
import { ensureSchema } from '../../../src/store/retention.js';
import { createWriter } from '../../../src/store/writer.js';
import { createInflux } from '../../../src/store/client.js';
import { backfillRollups } from '../../../src/store/backfill.js';
import { runCoverageReport } from '../../../src/reports/run.js';
import type { CoverageReport } from '../../../src/reports/coverage.js';

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
const STEP = 10 * MIN;
const FROM = Date.UTC(2025, 5, 23, 17); // 2025-06-24 00:00 in Vietnam (UTC+7)
const MERGER = Date.UTC(2025, 5, 30, 17); // 2025-07-01 00:00: two tiers from here
const TO = FROM + 14 * DAY;
const DB = 'ttmerger';

const place = (commune: string, province = 'Lào Cai') => ({ province, commune });
const site = (id: string, p: { province: string; commune: string }): Site =>
  siteWithDefaults({ id, name: `Điểm ${id}`, kind: 'cultural_house', ...p, host: '192.0.2.1', snmp: false, uplink: '4g' });

/** Today's inventory: Trịnh Tường's two sites are in Y Tý now; another province has a Y Tý too. */
const NOW_SITES = [site('tt-1', place('Y Tý')), site('tt-2', place('Y Tý')), site('yty-1', place('Y Tý')), site('ams-1', place('A Mú Sung')), site('db-yty', place('Y Tý', 'Điện Biên'))];
const INVENTORY: Inventory = {
  sites: NOW_SITES, areas: [],
  communes: [{ province: 'Lào Cai', name: 'Y Tý', kind: 'xa', former_names: [{ name: 'Trịnh Tường', district: 'Bát Xát' }] }],
};
/** What the points said before the reform. */
const BEFORE: Record<string, { commune: string; district: string }> = {
  'tt-1': { commune: 'Trịnh Tường', district: 'Bát Xát' }, 'tt-2': { commune: 'Trịnh Tường', district: 'Bát Xát' },
  'yty-1': { commune: 'Y Tý', district: 'Bát Xát' }, 'ams-1': { commune: 'A Mú Sung', district: 'Bát Xát' }, 'db-yty': { commune: 'Y Tý', district: 'Mường Nhé' },
};

const at = (day: number, localHour: number) => FROM + day * DAY + localHour * H;
/** tt-1: 4 h down before the merger and 2 h after; tt-2: down every day before; db-yty: down half of every service day. */
function isDown(id: string, t: number): boolean {
  if (id === 'tt-1') return (t >= at(2, 10) && t < at(2, 14)) || (t >= at(9, 9) && t < at(9, 11));
  if (id === 'tt-2') return t < MERGER;
  if (id === 'db-yty') return (new Date(t).getUTCHours() + 7) % 24 >= 14;
  return false;
}
const inService = (t: number) => { const h = (new Date(t).getUTCHours() + 7) % 24; return h >= 6 && h < 22; };
function expected(id: string): number {
  let up = 0, n = 0;
  for (let t = FROM; t < TO; t += STEP) if (inService(t)) { n++; if (!isDown(id, t)) up++; }
  return (100 * up) / n;
}

let influxd: Influxd;
let dir: string;
let settings: Settings;
const reports = new Map<string, CoverageReport>();

beforeAll(async () => {
  influxd = await startInfluxd();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-merger-'));
  settings = settingsWithDefaults({
    influx: { url: influxd.url, database: DB, batch_size: 20_000, retention: { raw: '1000d', rollup_5m: '1000d', rollup_1h: '1825d', resample_for: '1h' } },
    reports: { timezone: 'Asia/Ho_Chi_Minh', service_hours: { start: '06:00', end: '22:00' }, target_pct: 95, dropped_off_days: 7 },
  });
  const influx = createInflux(settings.influx);
  await ensureSchema(influx, settings.influx, silentLogger(), { cqEvery: '1h' });
  const writer = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir: dir, logger: silentLogger(), clock: new ManualClock(TO), strict: true, ensureSchema: { cqEvery: '1h' } });
  const old: Point[] = [];
  for (let t = FROM; t < TO; t += STEP) {
    for (const s of NOW_SITES) {
      if (t < MERGER) {
        // as written then: the old commune name and a district tag
        const then = siteWithDefaults({ ...s, commune: BEFORE[s.id]!.commune });
        const p = statePoint(then, t, isDown(s.id, t) ? 'DOWN' : 'UP', STEP / 1000);
        old.push({ ...p, tags: { ...p.tags, district: BEFORE[s.id]!.district } });
      } else {
        writer.write([statePoint(s, t, isDown(s.id, t) ? 'DOWN' : 'UP', STEP / 1000)]);
      }
    }
  }
  const res = await fetch(`${influxd.url}/write?db=${DB}&rp=raw&precision=ms`, { method: 'POST', body: toLines(old) });
  expect(res.status).toBe(204);
  await writer.flush();
  expect(writer.stats().rejected).toBe(0);
  await writer.close();
  await backfillRollups(influx, settings.influx, { from: FROM, to: TO }, { chunkMs: 8 * DAY, measurements: ['site_state'] });
  for (const resolution of ['auto', 'raw'] as const) {
    reports.set(resolution, await runCoverageReport(
      { from: '2025-06-24', to: '2025-07-07', resolution },
      { settings, inventory: INVENTORY, influx, incidents: async () => [], clock: new ManualClock(TO + H) },
    ));
  }
}, 180_000);

afterAll(async () => {
  await influxd?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a report over a period spanning the 2025 merger, on a mixed database', () => {
  for (const resolution of ['auto', 'raw'] as const) {
    it(`[${resolution}] every site's points before and after land on it: availability as scheduled`, () => {
      const r = reports.get(resolution)!;
      for (const s of NOW_SITES) {
        const got = r.sites.find((x) => x.site === s.id)!;
        expect(Math.abs(got.availability_pct! - expected(s.id)), `${s.id}: ${got.availability_pct} vs ${expected(s.id)}`).toBeLessThanOrEqual(0.1);
      }
    });
    it(`[${resolution}] the communes are today's, keyed by province + name: Trịnh Tường is in Y Tý, Điện Biên's Y Tý apart`, () => {
      const r = reports.get(resolution)!;
      expect(r.communes.map((c) => [c.province, c.name, c.sites])).toEqual([['Điện Biên', 'Y Tý', 1], ['Lào Cai', 'A Mú Sung', 1], ['Lào Cai', 'Y Tý', 3]]);
      expect(r.sites.find((x) => x.site === 'tt-2')).toMatchObject({ commune: 'Y Tý', group: null });
      expect(JSON.stringify(r)).not.toContain('Trịnh Tường');
      expect(JSON.stringify(r)).not.toContain('Bát Xát');
      expect(r.groups).toEqual([]);
    });
  }
  it('a site down for the whole week before the merger weighs on its current commune: Y Tý is covered (tt-1, yty-1), tt-2 is at risk', () => {
    const r = reports.get('auto')!;
    expect(r.sites.find((x) => x.site === 'tt-2')!.availability_pct).toBeCloseTo(50, 0);
    expect(r.communes.find((c) => c.province === 'Lào Cai' && c.name === 'Y Tý')).toMatchObject({ sites_meeting_target: 2, communes_covered: 1, classes: { live: 2, at_risk: 1, dropped_off: 0, unknown: 0 } });
    expect(r.communes.find((c) => c.province === 'Điện Biên')).toMatchObject({ sites_meeting_target: 0, communes_covered: 0 });
  });
  it('asking for a former commune by name points to the current one', async () => {
    const run = runCoverageReport({ from: '2025-06-24', to: '2025-07-07', commune: 'Trịnh Tường' }, { settings, inventory: INVENTORY, influx: createInflux(settings.influx), incidents: async () => [] });
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow('--commune "Trịnh Tường": merged into Lào Cai/Y Tý (former name): use --commune "Lào Cai/Y Tý"');
  });
});
