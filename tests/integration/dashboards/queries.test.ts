/**
 * Every panel query and every template-variable query of every COMMITTED dashboard
 * (dashboards/json/*.json), with the variables filled in as Grafana would ($province, $group,
 * $commune, $site, $rp for each retention policy, $target, $timeFilter, $__interval), runs without
 * error against a real influxd holding six hours of checks for a small fleet (built by the pure
 * point builders from SiteChecks, judged by the real reducer, written by the real writer, rolled up
 * by the real backfill), and returns series for every panel.
 *
 * The 4G sites also report LTE figures and the data they used (push reports, as a router behind
 * carrier NAT sends them; the reducer does not see them, so the states stay those of the pings),
 * for the site dashboard's 4G row; p04 says its data package ran out in the last hour.
 *
 * The database is MIXED, as after an upgrade across the 2025 reform: the first three hours were
 * written by a pointwatch of before (every point tagged with its `district`), the last three by
 * this one for a two-tier inventory (no district, no group tag).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import { silentLogger } from '../../../src/core/logger.js';
import { settingsWithDefaults, siteWithDefaults } from '../../../src/config/defaults.js';
import type { Settings, Site } from '../../../src/config/schema.js';
import type { SiteCheck } from '../../../src/core/types.js';
import { buildGraph, evaluateBatch } from '../../../src/alerting/dependencies.js';
import { check as makeCheck } from '../../../src/alerting/testkit.js';
import type { SiteAlertState } from '../../../src/alerting/reducer.js';
import { eventPoint, pointsForCheck, statePoint, type Point } from '../../../src/store/points.js';
import { createWriter } from '../../../src/store/writer.js';
import { createInflux } from '../../../src/store/client.js';
import { backfillRollups } from '../../../src/store/backfill.js';
import { ensureSchema } from '../../../src/store/retention.js';
import { RP } from '../../../src/store/schema.js';
import { toLines } from '../../../src/store/line-protocol.js';
import { DASHBOARDS } from '../../../dashboards/index.js';
import { staleDashboards } from '../../../src/cli/dashboards.js';

const JSON_DIR = path.resolve(import.meta.dirname, '../../../dashboards/json');
const H = 3_600_000;
const STEP = 60_000;
const TO = Math.floor(Date.now() / STEP) * STEP - 5 * STEP;
const FROM = TO - 6 * H;
const DB = 'pwdash';

const SITES: Site[] = [
  siteWithDefaults({ id: 'hub', name: 'Trạm Bát Xát', kind: 'other', province: 'Lào Cai', commune: 'Y Tý', host: '192.0.2.1', snmp: false, uplink: 'fibre' }),
  ...['Y Tý', 'Y Tý', 'A Mú Sung', 'Tả Van', 'Tả Van', 'Bản Hồ', 'Sín Chéng'].map((commune, i) => siteWithDefaults({
    id: `p0${i + 1}`, name: `Điểm ${i + 1}`, kind: 'cultural_house', province: 'Lào Cai', commune,
    host: `192.0.2.${11 + i}`, snmp: { version: '2c', community: 'public' }, uplink: '4g',
    ...(['Y Tý', 'A Mú Sung'].includes(commune) ? { parent: 'hub' } : {}),
  })),
];
/** The commune p03's points carried before the reform: A Mú Sung took it in when communes merged. */
const OLD_COMMUNE: Record<string, string> = { p03: 'Mường Hum' };
/** The district each site's points carried before the reform. */
const OLD_DISTRICT = (s: Site) => (['Tả Van', 'Bản Hồ'].includes(s.commune) ? 'Sa Pa' : s.commune === 'Sín Chéng' ? 'Si Ma Cai' : 'Bát Xát');
/** Points before this were written by a pointwatch of before the reform. */
const REFORM = FROM + 3 * H;

/** Known faults: the hub down for 40 min, p04 down for the last 30 min (DOWN now), p03 reboots. */
function specAt(site: string, t: number) {
  const hubDown = t >= FROM + 2 * H && t < FROM + 2 * H + 40 * 60_000;
  const p04Down = site === 'p04' && t >= TO - 30 * 60_000;
  const down = (site === 'hub' && hubDown) || p04Down || (['p01', 'p02', 'p03'].includes(site) && hubDown);
  return {
    received: down ? 0 : 5, rtt: 20 + (t / STEP) % 13, snmp: down ? 'timeout' as const : 'ok' as const,
    uptime_s: site === 'p03' && t >= FROM + 4 * H ? (t - (FROM + 4 * H)) / 1000 + 30 : 86_400 + (t - FROM) / 1000,
    rebooted: site === 'p03' && t === FROM + 4 * H + STEP,
    wan: down ? null : { in_bps: 2e6 + (t / STEP) % 5 * 1e5, out_bps: 3e5 },
  };
}

/** Bytes each site reported using, summed as the seeding wrote them. */
const USED = new Map<string, number>();

/** What a 4G router reported beside the check: LTE figures, data used, its package (none while down). */
function withRadio(c: SiteCheck, s: Site, t: number): SiteCheck {
  if (s.uplink !== '4g' || !c.ping || c.ping.received === 0) return c;
  USED.set(s.id, (USED.get(s.id) ?? 0) + 2e6);
  return {
    ...c,
    push: {
      status: 'ok', late_s: 0.3, interval_s: STEP / 1000, covers_s: STEP / 1000, data_used_bytes: 2e6, quota_exhausted: s.id === 'p04' && t >= TO - H,
      lte: { rsrp_dbm: -95 - ((t / STEP) % 10), rsrq_db: -11, sinr_db: 8, rssi_dbm: -68, cell_id: 1715004, enb_id: 6699, operator: 'Viettel', band: 'B3' },
    },
  };
}

let influxd: Influxd;
let dir: string;
let settings: Settings;

async function query(q: string): Promise<{ error?: string; series?: Array<{ name: string; columns: string[]; values: unknown[][]; tags?: Record<string, string> }> }[]> {
  const res = await fetch(`${influxd.url}/query?db=${DB}&epoch=ms`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ q }).toString(),
  });
  const body = (await res.json()) as { results?: Array<{ error?: string; series?: never }>; error?: string };
  if (!body.results) throw new Error(`influxd: ${body.error ?? res.status} for ${q}`);
  return body.results;
}

/** As a pointwatch of before wrote them: a `district` tag on every point of a site (the writer of today refuses it: undeclared). */
async function writeOld(points: Point[]): Promise<void> {
  const byId = new Map(SITES.map((s) => [s.id, s]));
  const old = points.map((p) => {
    const s = p.tags.site ? byId.get(p.tags.site) : undefined;
    return s ? { ...p, tags: { ...p.tags, district: OLD_DISTRICT(s), ...(OLD_COMMUNE[s.id] ? { commune: OLD_COMMUNE[s.id]! } : {}) } } : p;
  });
  const res = await fetch(`${influxd.url}/write?db=${DB}&rp=raw&precision=ms`, { method: 'POST', body: toLines(old) });
  expect(res.status).toBe(204);
}

beforeAll(async () => {
  influxd = await startInfluxd();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-dash-'));
  settings = settingsWithDefaults({ influx: { url: influxd.url, database: DB, batch_size: 20_000 } });
  await ensureSchema(createInflux(settings.influx), settings.influx, silentLogger(), { cqEvery: '1h' }); // the old points come first
  const writer = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir: dir, logger: silentLogger(), strict: true, ensureSchema: { cqEvery: '1h' } });
  const graph = buildGraph(SITES);
  const byId = new Map(SITES.map((s) => [s.id, s]));
  let states = new Map<string, SiteAlertState>();
  let cycle = 0;
  let incident = 0;
  for (let t = FROM; t <= TO; t += STEP) {
    cycle++;
    const checks = SITES.map((s) => {
      const spec = specAt(s.id, t);
      const c = makeCheck(s.id, { ts: t, cycle, ...spec, wan: spec.wan });
      return { ...c, snmp: c.snmp ? { ...c.snmp, wireless_clients: spec.received ? 5 + (cycle % 4) : undefined } : null };
    });
    const r = evaluateBatch(graph, states, checks, (site, ts) => ({ settings, now: ts, inMaintenance: false }), t);
    states = r.states;
    const points: Point[] = [];
    for (const c of checks) points.push(...pointsForCheck(byId.get(c.site)!, withRadio(c, byId.get(c.site)!, t)));
    for (const pc of r.perCheck) points.push(statePoint(byId.get(pc.site)!, pc.ts, pc.state, STEP / 1000));
    for (const { site, effect } of r.effects) {
      const s = byId.get(site)!;
      if (effect.type === 'transition') points.push(eventPoint(s, effect.ts, 'transition', { from_state: effect.from, to_state: effect.to, text: effect.detail }));
      if (effect.type === 'open') points.push(eventPoint(s, effect.ts, 'incident_open', { incident_id: ++incident, text: effect.detail }));
      if (effect.type === 'resolve') points.push(eventPoint(s, effect.ts, 'incident_resolve', { incident_id: incident, cause: effect.cause, text: effect.detail }));
      if (effect.type === 'reboot') points.push(eventPoint(s, effect.ts, 'reboot', { value: effect.at }));
    }
    if (t < REFORM) await writeOld(points);
    else writer.write(points);
  }
  await writer.flush();
  expect(writer.stats().rejected).toBe(0);
  await writer.close();
  await backfillRollups(createInflux(settings.influx), settings.influx, { from: FROM, to: TO + STEP }, { chunkMs: 7 * H });
}, 120_000);

afterAll(async () => {
  await influxd?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface Target { refId: string; query: string; rawQuery: boolean; datasource: { uid: string } }
interface Panel { title: string; type: string; targets?: Target[] }
interface Variable { name: string; type: string; query?: string | { query?: string } }
interface DashboardJson { uid: string; title: string; panels: Panel[]; templating: { list: Variable[] } }

const committed = (): Array<{ file: string; json: DashboardJson }> =>
  Object.keys(DASHBOARDS).map((name) => ({ file: `${name}.json`, json: JSON.parse(fs.readFileSync(path.join(JSON_DIR, `${name}.json`), 'utf8')) as DashboardJson }));

/** Grafana's substitution (regex context: values are plain names here, no special characters). */
function fill(q: string, vars: Record<string, string>): string {
  let out = q.replace(/\$timeFilter/g, `time >= ${FROM}ms and time <= ${TO + STEP}ms`);
  for (const [k, v] of Object.entries(vars).sort((a, b) => b[0].length - a[0].length)) out = out.split(`$${k}`).join(v);
  expect(out, `unfilled variable in ${out}`).not.toMatch(/\$[A-Za-z_]/);
  return out;
}

const INTERVAL: Record<string, string> = { raw: '1m', rollup_5m: '5m', rollup_1h: '1h' };
const SCOPES = [
  // $sites: Grafana expands All of a variable without an allValue to the list itself
  { name: 'one commune (no group: All)', vars: { province: 'Lào Cai', group: '.*', commune: 'Y Tý', site: 'p01', sites: '(hub|p01|p02)' } },
  { name: 'All groups and communes', vars: { province: 'Lào Cai', group: '.*', commune: '.*', site: 'p03', sites: '(hub|p01|p02|p03|p04|p05|p06|p07)' } },
  { name: 'a former district (points written before the reform)', vars: { province: 'Lào Cai', group: 'Bát Xát', commune: 'Y Tý', site: 'p01', sites: '(hub|p01|p02)' } },
];

describe('dashboards as code', () => {
  it('the committed JSON is what dashboards/*.ts build (pointwatch dashboards build --check)', () => {
    expect(staleDashboards(JSON_DIR)).toEqual([]);
  });

  it('every query names the provisioned datasource and is raw InfluxQL', () => {
    for (const { json } of committed()) {
      for (const p of json.panels) for (const t of p.targets ?? []) {
        expect(t.datasource.uid, `${json.uid} ${p.title}`).toBe('pointwatch-influxdb');
        expect(t.rawQuery).toBe(true);
      }
    }
  });

  it.each(committed().map((d) => ({ uid: d.json.uid, d })))('$uid: every template-variable query runs and returns values', async ({ d }) => {
    const vars = d.json.templating.list.filter((v) => v.type === 'query');
    expect(vars.length).toBeGreaterThan(0);
    for (const v of vars) {
      const q = typeof v.query === 'string' ? v.query : v.query?.query ?? '';
      const [res] = await query(fill(q, SCOPES[0]!.vars));
      expect(res?.error, `${v.name}: ${q}`).toBeUndefined();
      const values = (res?.series ?? []).flatMap((s) => s.values.map((row) => row[1]));
      expect(values.length, `${v.name} returned nothing: ${q}`).toBeGreaterThan(0);
    }
  });

  const cases = committed().flatMap(({ json }) => json.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ uid: json.uid, title: p.title, t }))));
  it.each(cases)('$uid › $title: runs on every RP and scope and returns series', async ({ t }) => {
    const rps = t.query.includes('$rp') ? Object.values(RP) : ['raw'];
    for (const rp of rps) {
      for (const scope of SCOPES) {
        const q = fill(t.query, { ...scope.vars, rp, target: '95', __interval: INTERVAL[rp]! });
        const [res] = await query(q);
        expect(res?.error, `${rp} ${scope.name}: ${q}`).toBeUndefined();
        expect((res?.series ?? []).length, `no series from ${rp} / ${scope.name}: ${q}`).toBeGreaterThan(0);
      }
    }
  });

  it('a commune merged in 2025 shows its points written under the former name: A Mú Sung over all six hours, Mường Hum\'s three included', async () => {
    const view = committed().find((d) => d.json.uid === 'pointwatch-commune')!.json;
    const sitesVar = view.templating.list.find((v) => v.name === 'sites')!;
    const [listed] = await query(fill(typeof sitesVar.query === 'string' ? sitesVar.query : '', { province: 'Lào Cai', group: '.*', commune: 'A Mú Sung' }));
    expect(listed!.series!.flatMap((x) => x.values.map((row) => row[1]))).toEqual(['p03']);
    const states = view.panels.find((p) => p.title === 'State per site')!;
    const [res] = await query(fill(states.targets![0]!.query, { sites: '(p03)', rp: 'raw', __interval: '1m' }));
    const rows = res!.series![0]!.values.filter((v) => v[1] !== null);
    expect(rows.length).toBeGreaterThanOrEqual(355); // one check a minute for 6 h
    expect(Math.min(...rows.map((v) => v[0] as number))).toBeLessThan(REFORM - 2 * H);
  });

  it('the panels show the injected faults: p04 is DOWN now, the hub was down, p03 rebooted', async () => {
    const overview = committed().find((d) => d.json.uid === 'pointwatch-province')!.json;
    const downPanel = overview.panels.find((p) => p.title === 'DOWN')!;
    const [down] = await query(fill(downPanel.targets![0]!.query, { province: 'Lào Cai' }));
    expect(down!.series![0]!.values[0]![1]).toBe(1);
    const site = committed().find((d) => d.json.uid === 'pointwatch-site')!.json;
    const reboots = site.panels.find((p) => p.title === 'Reboots')!;
    const [r] = await query(fill(reboots.targets![0]!.query, { site: 'p03', rp: 'raw' }));
    expect(r!.series![0]!.values[0]![1]).toBe(1);
    const coverage = committed().find((d) => d.json.uid === 'pointwatch-coverage')!.json;
    const perSite = coverage.panels.find((p) => p.title.startsWith('Per site'))!;
    const [ps] = await query(fill(perSite.targets![0]!.query, { province: 'Lào Cai', group: '.*', rp: 'raw' }));
    const hub = ps!.series!.find((s) => s.tags?.site === 'hub')!;
    const cols = hub.columns;
    const avail = hub.values[0]![cols.indexOf('availability %')] as number;
    const downMin = hub.values[0]![cols.indexOf('downtime min')] as number;
    // 40 min down of 6 h; the reducer confirms DOWN on the 2nd failed check and UP on the 2nd good one
    expect(downMin).toBeGreaterThanOrEqual(39);
    expect(downMin).toBeLessThanOrEqual(41);
    expect(avail).toBeCloseTo((100 * (361 - 40)) / 361, 0);
    const child = ps!.series!.find((s) => s.tags?.site === 'p01')!;
    expect(child.values[0]![cols.indexOf('availability %')]).toBe(100);
  });

  it('the 4G row shows what the routers reported: data used over the period, p04\'s package used up, the network, the signal', async () => {
    const site = committed().find((d) => d.json.uid === 'pointwatch-site')!.json;
    const panel = (title: string) => site.panels.find((p) => p.title === title)!.targets![0]!.query;
    const one = async (title: string, siteId: string) => (await query(fill(panel(title), { site: siteId, rp: 'raw', __interval: '1m' })))[0]!.series![0]!;
    expect((await one('Data used (period)', 'p01')).values[0]![1]).toBe(USED.get('p01'));
    expect(USED.get('p01')).toBeGreaterThan(300 * 2e6); // every minute but the 40 the hub was down
    expect((await one('Data package', 'p04')).values[0]![1]).toBe(1);
    expect((await one('Data package', 'p01')).values[0]![1]).toBe(0);
    const net = await one('Network and cell (last report)', 'p02');
    expect(net.values[0]!.slice(1)).toEqual(['Viettel', 'B3', 1715004, 6699]);
    const rsrp = await one('LTE signal strength (RSRP)', 'p05');
    const values = rsrp.values.map((v) => v[1]).filter((v): v is number => v !== null);
    expect(values.length).toBeGreaterThan(300);
    expect(Math.min(...values)).toBe(-104);
    expect(Math.max(...values)).toBe(-95);
    // the hub (fibre) reports none: its 4G panels are empty, not wrong
    expect((await query(fill(panel('Data used (period)'), { site: 'hub', rp: 'raw' })))[0]!.series).toBeUndefined();
  });
});
