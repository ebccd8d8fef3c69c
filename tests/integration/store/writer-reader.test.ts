/**
 * Writer → real influxd → reader. Points built by the pure builders, written through the batching
 * writer, read back with the typed reader; the schema guard and a 400 field type conflict.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import type { SiteCheck } from '../../../src/core/types.js';
import { eventPoint, pointsForCheck, statePoint, SchemaViolation, type Point } from '../../../src/store/points.js';
import { createWriter } from '../../../src/store/writer.js';
import { createReader, availabilityByArea } from '../../../src/store/reader.js';
import { createInflux } from '../../../src/store/client.js';
import { SITE_STATES, type SiteStateName } from '../../../src/store/schema.js';
import { captureLogger, rng, testSettings, testSites, tmpDir, waitFor } from './util.js';

let influxd: Influxd;
const dirs: string[] = [];
beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  await influxd?.destroy();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const sites = testSites(4);
const T0 = Math.floor((Date.now() - 2 * 3_600_000) / 3_600_000) * 3_600_000; // a whole past hour
const rand = rng(7);

/** 120 checks per site, every 30 s; site-003 is down from check 60 to 89. */
function fleet(): { checks: { site: (typeof sites)[number]; check: SiteCheck; state: SiteStateName }[] } {
  const checks: { site: (typeof sites)[number]; check: SiteCheck; state: SiteStateName }[] = [];
  for (let k = 0; k < 120; k++) {
    for (const site of sites) {
      const ts = T0 + k * 30_000 + 17; // ms precision kept
      const down = site.id === 'site-003' && k >= 60 && k < 90;
      const rtt = 5 + rand() * 20;
      checks.push({
        site,
        state: down ? 'DOWN' : 'UP',
        check: {
          site: site.id, ts, cycle: k + 1, recheck: false,
          ping: down
            ? { site: site.id, ts, status: 'timeout', sent: 3, received: 0, loss_pct: 100, rtt_min_ms: null, rtt_avg_ms: null, rtt_max_ms: null, jitter_ms: null }
            : { site: site.id, ts, status: 'ok', sent: 3, received: 3, loss_pct: 0, rtt_min_ms: rtt - 1, rtt_avg_ms: rtt, rtt_max_ms: rtt + 1, jitter_ms: 0.5 },
          snmp: null, uptime_s: null, rebooted: false, rebooted_at: null,
          interfaces: down ? [] : [{ name: 'ether1', index: 1, oper_up: true, admin_up: true, speed_bps: 1e8, in_bps: 1e6 * rand(), out_bps: 2e5 * rand(), in_errors_ps: 0, out_errors_ps: 0, in_discards_ps: 0, out_discards_ps: 0 }],
          wan: { name: 'ether1', chosen_by: 'inventory' },
        },
      });
    }
  }
  return { checks };
}

describe('writer + reader against a real influxd', () => {
  const { checks } = fleet();
  let written: Point[] = [];

  it('writes a fleet hour through the writer and reads every point back', async () => {
    const settings = testSettings(influxd.url, 'wr_test');
    const dataDir = tmpDir('wr');
    dirs.push(dataDir);
    const cap = captureLogger();
    const writer = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir, logger: cap.logger, strict: true });
    for (const c of checks) {
      const pts = [...pointsForCheck(c.site, c.check), statePoint(c.site, c.check.ts, c.state, 30)];
      written.push(...pts);
      writer.write(pts);
    }
    await writer.flush();
    const st = writer.stats();
    expect(st).toMatchObject({ written: written.length, spooled: 0, dropped: 0, rejected: 0, invalid: 0, influx_up: true });
    expect(st.batch_points.max).toBeLessThanOrEqual(500); // batch_size
    expect(st.write_latency_ms.count).toBeGreaterThanOrEqual(Math.ceil(written.length / 500));
    await writer.close();

    const reader = createReader(createInflux(settings.influx), settings.influx);
    // ping history of one site: every check, exact values, ms timestamps.
    const h = await reader.siteHistory('site-001', T0, T0 + 3_600_000, 'ping');
    expect(h.source.rp).toBe('raw');
    const expected = written.filter((p) => p.measurement === 'ping' && p.tags.site === 'site-001');
    expect(h.series).toHaveLength(1);
    expect(h.series[0]!.rows.map((r) => r.ts)).toEqual(expected.map((p) => p.timestamp));
    expect(h.series[0]!.rows.map((r) => r.rtt_avg_ms)).toEqual(expected.map((p) => p.fields.rtt_avg_ms));

    // bandwidth history: split by interface and wan flag
    const bw = await reader.siteHistory('site-002', T0, T0 + 3_600_000, 'bandwidth');
    expect(bw.series.map((s) => s.tags)).toEqual([{ ifname: 'ether1', wan: 'true' }]);
    expect(bw.series[0]!.rows).toHaveLength(120);

    // state history of the site that went down
    const sh = await reader.siteHistory('site-003', T0, T0 + 3_600_000, 'state');
    const states = sh.series[0]!.rows.map((r) => r.state);
    expect(states.filter((s) => s === 'DOWN')).toHaveLength(30);

    const latest = await reader.latestStates({ withinMs: 3 * 3_600_000 });
    expect([...latest.keys()].sort()).toEqual(sites.map((s) => s.id));
    expect(latest.get('site-003')).toEqual({ state: 'UP', ts: T0 + 119 * 30_000 + 17 });

    expect((await reader.latestStates()).size).toBe(4); // default: the last 24 h
    expect((await reader.latestStates({ withinMs: 60_000 })).size).toBe(0); // nothing in the last minute

    const avail = await reader.availabilityBySite(T0, T0 + 3_600_000);
    const s3 = avail.find((a) => a.site === 'site-003')!;
    expect(s3.checks).toEqual({ up: 90, down: 30, unreachable: 0, unknown: 0, maintenance: 0, total: 120 });
    expect(s3.seconds.down).toBe(900);
    expect(s3.availability_pct).toBe(75);
    expect(avail.find((a) => a.site === 'site-000')!.availability_pct).toBe(100);
    // filter by area, with a value that must be bound, not spliced
    const thanhSon = await reader.availabilityBySite(T0, T0 + 3_600_000, { group: 'Thanh Sơn' });
    expect(thanhSon.map((a) => a.site)).toEqual(['site-000', 'site-001']);
    const inj = await reader.availabilityBySite(T0, T0 + 3_600_000, { group: `x' OR group =~ /.*/ --` });
    expect(inj).toEqual([]);
    const byId = new Map(sites.map((s) => [s.id, s]));
    const prov = availabilityByArea(avail, 'province', (id) => byId.get(id));
    expect(prov).toHaveLength(1);
    expect(prov[0]!.checks.total).toBe(480);
    expect(prov[0]!.availability_pct).toBeCloseTo((450 / 480) * 100, 6);

    // 5-minute buckets from raw: 10 checks per site per bucket, 6 down buckets for site-003.
    const buckets = await reader.stateBuckets(T0, T0 + 3_600_000, '5m', { site: 'site-003' });
    expect(buckets).toHaveLength(12);
    expect(buckets.map((b) => b.down)).toEqual([0, 0, 0, 0, 0, 0, 10, 10, 10, 0, 0, 0]);
    expect(buckets.every((b) => b.checked_s === 300)).toBe(true);
  });

  it('events: written with eventPoint, read back per site in time order', async () => {
    const settings = testSettings(influxd.url, 'wr_events');
    const dataDir = tmpDir('events');
    dirs.push(dataDir);
    const writer = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir, logger: captureLogger().logger, strict: true });
    const s = sites[2]!;
    writer.write([
      eventPoint(s, T0 + 2000, 'incident_open', { incident_id: 17, text: 'Mất kết nối' }),
      eventPoint(s, T0 + 1000, 'transition', { from_state: 'UP', to_state: 'DOWN', cause: 'ping: 3/3 lost' }),
      eventPoint(sites[3]!, T0 + 1500, 'reboot', { value: 42 }),
      eventPoint({ province: s.province, group: s.group, commune: s.commune }, T0 + 1600, 'flapping', { text: 'commune outage' }),
    ]);
    await writer.flush();
    await writer.close();
    const reader = createReader(createInflux(settings.influx), settings.influx);
    const ev = await reader.siteEvents(s.id, T0, T0 + 3_600_000);
    expect(ev).toEqual([
      { ts: T0 + 1000, type: 'transition', text: null, from_state: 'UP', to_state: 'DOWN', cause: 'ping: 3/3 lost', incident_id: null, value: null },
      { ts: T0 + 2000, type: 'incident_open', text: 'Mất kết nối', from_state: null, to_state: null, cause: null, incident_id: 17, value: null },
    ]);
  });

  it('the declared-schema guard rejects an undeclared tag or field, in the writer and in node-influx', async () => {
    const settings = testSettings(influxd.url, 'wr_guard');
    const dataDir = tmpDir('guard');
    dirs.push(dataDir);
    const cap = captureLogger();
    const strict = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir, logger: cap.logger, strict: true });
    const ok = statePoint(sites[0]!, T0, 'UP', 30);
    expect(() => strict.write([{ ...ok, tags: { ...ok.tags, host: '127.0.0.2' } }])).toThrow(SchemaViolation);
    expect(() => strict.write([{ ...ok, fields: { ...ok.fields, uptime: 3 } }])).toThrow(/undeclared field 'uptime'/);
    await strict.close();

    // Production mode: logged and counted, the good point still goes through.
    const lenient = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir, logger: cap.logger });
    lenient.write([{ ...ok, tags: { ...ok.tags, host: '127.0.0.2' } }, ok]);
    await lenient.flush();
    expect(lenient.stats()).toMatchObject({ invalid: 1, written: 1 });
    expect(cap.messages()).toContain('point refused: not in the declared schema');
    await lenient.close();

    // node-influx's own schema check (names) behind ours.
    await expect(async () => createInflux(settings.influx).writePoints([{ measurement: 'ping', tags: { site: 'x' }, fields: { bogus: 1 } }], { retentionPolicy: 'raw' })).rejects.toThrow(/bogus/);
  });

  it('a field type conflict (400 partial write): offending points logged, the rest written', async () => {
    const settings = testSettings(influxd.url, 'wr_conflict');
    const dataDir = tmpDir('conflict');
    dirs.push(dataDir);
    const cap = captureLogger();
    const writer = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir, logger: cap.logger, strict: true });
    // Let the writer create the database and RPs, then plant an INTEGER rtt_avg_ms in the same shard.
    writer.write([statePoint(sites[0]!, T0, 'UP', 30)]);
    await writer.flush();
    const res = await fetch(`${influxd.url}/write?db=wr_conflict&rp=raw&precision=ms`, { method: 'POST', body: `ping,site=legacy rtt_avg_ms=5i ${T0}` });
    expect(res.status).toBe(204);

    const batch = checks.slice(0, 8).flatMap((c) => [...pointsForCheck(c.site, c.check), statePoint(c.site, c.check.ts, c.state, 30)]);
    const pings = batch.filter((p) => p.measurement === 'ping');
    writer.write(batch);
    await writer.flush();
    const st = writer.stats();
    expect(st.rejected).toBe(pings.length);
    expect(st.written).toBe(1 + batch.length - pings.length);
    expect(st.spooled).toBe(0); // never retried: it would fail forever
    const log = cap.lines().find((l) => l.msg === 'InfluxDB refused points (the rest of the batch was written)')!;
    expect(log).toBeDefined();
    expect(log.offending_count).toBe(pings.length);
    expect(String(log.err)).toMatch(/field type conflict/);
    await writer.close();

    const reader = createReader(createInflux(settings.influx), settings.influx);
    const sh = await reader.siteHistory(sites[1]!.id, T0, T0 + 3_600_000, 'state');
    expect(sh.series[0]!.rows).toHaveLength(2); // the rest of the batch is there
  });

  it('InfluxDB down at start: the writer starts, spools and says so', async () => {
    const settings = testSettings('http://127.0.0.1:9', 'wr_down'); // discard port: nothing listens
    const dataDir = tmpDir('downstart');
    dirs.push(dataDir);
    const cap = captureLogger();
    const writer = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir, logger: cap.logger, strict: true });
    writer.write(SITE_STATES.map((s, i) => statePoint(sites[0]!, T0 + i, s, 30)));
    await writer.flush();
    expect(writer.stats()).toMatchObject({ written: 0, spooled: 6, influx_up: false });
    expect(writer.stats().spool.points).toBe(6);
    expect(cap.messages()).toContain('InfluxDB unavailable: spooling points to disk');
    await writer.close();
    await waitFor('spool files on disk', () => fs.readdirSync(`${dataDir}/spool`).some((f) => f.endsWith('.pws')));
  });
});
