/**
 * The daily rollup (rollup_1d) against a real influxd:
 *  - a database made by the previous schema (three RPs, the 5m and 1h CQs) gets the new RP and the
 *    four daily CQs added by ensureSchema, nothing dropped; a second run changes nothing;
 *  - the daily select (backfill target 1d, the CQ's SELECT INTO) sums the 1-hour points per series
 *    and UTC day, keeps the `svc` split (GROUP BY *), and turns hourly mean rates into bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import { createInflux, exec } from '../../../src/store/client.js';
import { continuousQueries, ensureSchema } from '../../../src/store/retention.js';
import { backfillRollups } from '../../../src/store/backfill.js';
import { siteTags } from '../../../src/store/points.js';
import { RP, RP_DAILY, SVC_TAG } from '../../../src/store/schema.js';
import { createServiceTagger } from '../../../src/reports/service-tag.js';
import { captureLogger, rng, testSettings, testSites } from './util.js';

let influxd: Influxd;
beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  await influxd?.destroy();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('ensureSchema on a database made before the daily rollup', () => {
  it('adds rollup_1d and its CQs, keeps the rest; a second run changes nothing', async () => {
    const s = testSettings(influxd.url, 'upgrade');
    const influx = createInflux(s.influx);
    // the previous schema, as ensureSchema made it: three RPs, a 5m and a 1h CQ per measurement
    await exec(influx, 'CREATE DATABASE "upgrade"');
    await exec(influx, `CREATE RETENTION POLICY "raw" ON "upgrade" DURATION ${s.influx.retention.raw} REPLICATION 1 DEFAULT`);
    await exec(influx, `CREATE RETENTION POLICY "rollup_5m" ON "upgrade" DURATION ${s.influx.retention.rollup_5m} REPLICATION 1`);
    await exec(influx, `CREATE RETENTION POLICY "rollup_1h" ON "upgrade" DURATION ${s.influx.retention.rollup_1h} REPLICATION 1`);
    const old = continuousQueries(s.influx).filter((c) => c.target !== '1d');
    expect(old).toHaveLength(8);
    for (const c of old) await exec(influx, c.statement);

    const cap = captureLogger();
    const first = await ensureSchema(influx, s.influx, cap.logger);
    expect(first).toEqual({
      created_policies: ['rollup_1d'], altered_policies: [], dropped_cqs: [],
      created_cqs: continuousQueries(s.influx).filter((c) => c.target === '1d').map((c) => c.name),
    });
    expect(first.created_cqs).toHaveLength(4);
    expect(await ensureSchema(influx, s.influx, cap.logger)).toEqual({ created_policies: [], altered_policies: [], created_cqs: [], dropped_cqs: [] });
    const rps = (await exec(influx, 'SHOW RETENTION POLICIES ON "upgrade"')).results[0]!.series![0]!.values!.map((v) => [v[0], v[1], v[2], v[4]]);
    // rollup_1d in shards of a year (a year's report reads one or two shards, not 53)
    expect(rps).toEqual(expect.arrayContaining([['raw', '720h0m0s', '24h0m0s', true], ['rollup_1d', '43800h0m0s', '8760h0m0s', false]]));
    const cqs = (await exec(influx, 'SHOW CONTINUOUS QUERIES')).results[0]!.series!.find((x) => x.name === 'upgrade')!.values!;
    const daily = cqs.find((v) => String(v[0]).startsWith('pw_site_state_1d_'))!;
    expect(String(daily[1])).toContain('RESAMPLE EVERY 1h FOR 28h');
    expect(String(daily[1])).toContain('FROM upgrade.rollup_1h.site_state');
  });
});

describe('the daily select (backfill target 1d = the daily CQ)', () => {
  it('sums the 1-hour points per series and UTC day, keeps the svc split, and counts WAN bytes', async () => {
    const s = testSettings(influxd.url, 'daily_sel');
    const influx = createInflux(s.influx);
    await ensureSchema(influx, s.influx, captureLogger().logger);
    const sites = testSites(2);
    const svc = createServiceTagger({ start: '06:00', end: '22:00' }, 'Asia/Ho_Chi_Minh');
    const day0 = Math.floor(Date.now() / DAY) * DAY - 5 * DAY;
    const r = rng(7);
    type Row = { up: number; down: number; checked_s: number; in_bps: number };
    const hours: Array<{ site: string; ts: number; svc: string } & Row> = [];
    const points = [];
    for (let h = 0; h < 3 * 24; h++) {
      const ts = day0 + h * HOUR;
      for (const site of sites) {
        if (r() < 0.1) continue; // an hour without data
        const down = Math.floor(r() * 30);
        const row = { site: site.id, ts, svc: svc(ts), up: 120 - down, down, checked_s: 3600, in_bps: Math.round(r() * 1e6) };
        hours.push(row);
        points.push({ measurement: 'site_state', tags: { ...siteTags(site), [SVC_TAG]: row.svc }, fields: { up: row.up, down, unreachable: 0, unknown: 0, maintenance: 0, checked_s: 3600, state_code: 0 }, timestamp: ts });
        points.push({ measurement: 'interface', tags: { ...siteTags(site), ifname: 'ether1', wan: 'true' }, fields: { in_bps: row.in_bps, out_bps: 1000, oper_up: 1 }, timestamp: ts });
      }
    }
    await influx.writePoints(points, { precision: 'ms', retentionPolicy: RP.rollup_1h });
    const res = await backfillRollups(influx, s.influx, { from: day0 + 5 * HOUR, to: day0 + 3 * DAY - 1 }, { targets: ['1d'] });
    expect(res).toMatchObject({ from: day0, to: day0 + 3 * DAY, statements: 4 });

    const got = await exec(influx, `SELECT "up", "down", "checked_s" FROM "daily_sel"."${RP_DAILY}"."site_state" GROUP BY "site", "${SVC_TAG}"`);
    const actual = new Map<string, number[]>();
    for (const series of got.results[0]!.series!) {
      for (const v of series.values!) actual.set(`${series.tags!.site}|${series.tags![SVC_TAG]}|${Date.parse(String(v[0]))}`, [v[1], v[2], v[3]].map(Number));
    }
    const expected = new Map<string, number[]>();
    for (const h of hours) {
      const k = `${h.site}|${h.svc}|${Math.floor(h.ts / DAY) * DAY}`;
      const e = expected.get(k) ?? [0, 0, 0];
      expected.set(k, [e[0]! + h.up, e[1]! + h.down, e[2]! + h.checked_s]);
    }
    expect(expected.size).toBe(2 * 3 * 2); // two sites × three days × in/out
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));

    const bytes = await exec(influx, `SELECT sum("in_bytes") AS b FROM "daily_sel"."${RP_DAILY}"."interface" WHERE "wan" = 'true' GROUP BY "site"`);
    for (const series of bytes.results[0]!.series!) {
      const want = hours.filter((h) => h.site === series.tags!.site).reduce((n, h) => n + (h.in_bps * 3600) / 8, 0);
      expect(Number(series.values![0]![1])).toBeCloseTo(want, 0);
    }
  });
});
