/**
 * The API on the REAL modules behind its adapters: the alerting IncidentRepository and
 * MaintenanceStore on SQLite, the store reader on a real influxd (points written by the real
 * writer), and what the pages do when that influxd stops: a banner, the last known state, 503
 * from the history API, /readyz 503; and back when it returns.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { createLogger } from '../../../src/core/logger.js';
import type { SiteCheck } from '../../../src/core/types.js';
import { IncidentRepository } from '../../../src/alerting/incidents.js';
import { createWriter } from '../../../src/store/writer.js';
import { createReader } from '../../../src/store/reader.js';
import { createInflux } from '../../../src/store/client.js';
import { pointsForCheck, statePoint } from '../../../src/store/points.js';
import { historyAdapter, incidentRepoAdapter } from '../../../src/api/adapters.js';
import { bearer, CA, D1, fleet, makeFixture, NOW, PROVINCE, type Fixture } from './fixtures.js';

const STEP = 5 * 60_000;
const DAY = 86_400_000;
let influxd: Influxd;
let f: Fixture;
let repo: IncidentRepository;
let incidentId: number;
const silent = createLogger({ level: 'silent' });

/** 24 h of checks every 5 min for a2 ending at NOW: RTT = 20 + (k % 10), loss 0, WAN lte1 + a LAN port. */
function checks(): SiteCheck[] {
  const out: SiteCheck[] = [];
  for (let k = 0; k < DAY / STEP; k++) {
    const ts = NOW - DAY + k * STEP;
    const rtt = 20 + (k % 10);
    out.push({
      site: 'a2', ts, cycle: k + 1, recheck: false,
      ping: { site: 'a2', ts, status: 'ok', sent: 5, received: 5, loss_pct: 0, rtt_min_ms: rtt - 1, rtt_avg_ms: rtt, rtt_max_ms: rtt + 1, jitter_ms: 0.4 },
      snmp: null, uptime_s: 1000 + k * 300, rebooted: false, rebooted_at: null,
      interfaces: [
        { name: 'lte1', index: 1, oper_up: true, admin_up: true, speed_bps: 5e7, in_bps: 1e6 + k, out_bps: 2e5, in_errors_ps: 0, out_errors_ps: 0, in_discards_ps: 0, out_discards_ps: 0 },
        { name: 'bridge', index: 2, oper_up: true, admin_up: true, speed_bps: 1e9, in_bps: 9e8, out_bps: 9e8, in_errors_ps: 0, out_errors_ps: 0, in_discards_ps: 0, out_discards_ps: 0 },
      ],
      wan: { name: 'lte1', chosen_by: 'inventory' },
    });
  }
  return out;
}

beforeAll(async () => {
  influxd = await startInfluxd();
  const influxSettings = settingsWithDefaults({ influx: { url: influxd.url, database: 'api_test', flush_interval_ms: 50 } });
  const site = fleet().sites.find((s) => s.id === 'a2')!;
  const dataDir = fs.mkdtempSync('/tmp/pwapi-writer-');
  const writer = await createWriter({ influx: influxSettings.influx, spool: influxSettings.spool, dataDir, logger: silent, strict: true });
  for (const c of checks()) writer.write([...pointsForCheck(site, c), statePoint(site, c.ts, 'UP', 300)]);
  await writer.flush();
  expect(writer.stats()).toMatchObject({ written: 288 * 4, rejected: 0, dropped: 0 }); // ping, 2 interfaces, state
  await writer.close();
  fs.rmSync(dataDir, { recursive: true, force: true });

  const influx = createInflux(influxSettings.influx);
  const reader = createReader(influx, influxSettings.influx);
  f = await makeFixture({
    passwords: true,
    settings: { auth: { session_ttl: '12h', login_attempts_per_minute: 1000 } },
    deps: (base) => {
      repo = new IncidentRepository(base.db, base.clock, base.settings.reports.timezone);
      return {
        incidents: incidentRepoAdapter(repo),
        history: historyAdapter(reader, async () => (await influx.ping(1000)).every((h) => h.online)),
      };
    },
  });
  incidentId = repo.openIncident({ kind: 'site-down', site_id: 'a1', commune: CA, group: D1, province: PROVINCE, state: 'DOWN', detail: 'no reply to 5 pings for 2 checks', opened_at: NOW - 3_600_000 }).id;
});

afterAll(async () => {
  await f?.close();
  await influxd?.destroy();
});

async function session(name: string, password: string) {
  const r = await f.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: name, password } });
  const c = r.cookies.find((x) => x.name === 'pw_session')!;
  return `pw_session=${c.value}`;
}

describe('on the real incident repository (SQLite)', () => {
  it('lists, acknowledges, records runbook steps and maintenance windows through the adapter', async () => {
    const h = bearer(f.tokens.trainee!);
    const list = (await f.app.inject({ url: '/api/v1/incidents', headers: h })).json() as { items: Array<{ id: number; kind: string }> };
    expect(list.items.map((i) => i.id)).toEqual([incidentId]);
    const ack = await f.app.inject({ method: 'POST', url: `/api/v1/incidents/${incidentId}/ack`, headers: h, payload: { note: 'đang đến' } });
    expect(ack.statusCode).toBe(200);
    expect(repo.getIncident(incidentId)).toMatchObject({ acknowledged_by: 'trainee', ack_note: 'đang đến', acknowledged_at: NOW });
    expect((await f.app.inject({ method: 'POST', url: `/api/v1/incidents/${incidentId}/ack`, headers: h })).statusCode).toBe(409);

    for (const [step, done] of [[1, true], [2, true], [1, false]] as const) {
      expect((await f.app.inject({ method: 'POST', url: `/api/v1/incidents/${incidentId}/steps`, headers: h, payload: { step, done } })).statusCode).toBe(200);
    }
    expect(repo.steps(incidentId).map((s) => [s.step, s.done, s.by])).toEqual([[1, false, 'trainee'], [2, true, 'trainee']]);
    expect(repo.stepHistory(incidentId)).toHaveLength(3); // the training record keeps every tick
    const detail = (await f.app.inject({ url: `/api/v1/incidents/${incidentId}`, headers: h })).json() as { incident: unknown; steps: unknown; history: unknown[] };
    expect(detail.history).toHaveLength(3);
    // Serialized through the schema declared beside the repository: every stored field comes through.
    expect(detail.incident).toEqual(JSON.parse(JSON.stringify(repo.getIncident(incidentId))));
    expect(detail.steps).toEqual(JSON.parse(JSON.stringify(repo.steps(incidentId))));

    const op = bearer(f.tokens.op!);
    const w = await f.app.inject({ method: 'POST', url: '/api/v1/maintenance', headers: op, payload: { communes: [CA], start: '2026-11-21T01:00:00Z', end: '2026-11-21T03:00:00Z', reason: 'EVN cắt điện' } });
    expect(w.statusCode).toBe(201);
    const id = (w.json() as { id: number }).id;
    expect(w.json()).toEqual(JSON.parse(JSON.stringify(repo.maintenance.list().find((x) => x.id === id))));
    expect(w.json()).toMatchObject({ communes: [`${PROVINCE}/${CA}`] }); // stored by province + commune
    // the alerting side sees it: a1 (Xã An) is in maintenance inside the window, not outside
    const a1 = fleet().sites.find((s) => s.id === 'a1')!;
    expect(repo.maintenance.isInMaintenance(a1, Date.UTC(2026, 10, 21, 2))).toBe(true);
    expect(repo.maintenance.isInMaintenance(a1, Date.UTC(2026, 10, 21, 4))).toBe(false);
    expect((await f.app.inject({ method: 'DELETE', url: `/api/v1/maintenance/${id}`, headers: bearer(f.tokens.reviewer!) })).statusCode).toBe(403);
    expect((await f.app.inject({ method: 'DELETE', url: `/api/v1/maintenance/${id}`, headers: op })).statusCode).toBe(204);
    expect(repo.maintenance.list()).toEqual([]);
  });
});

describe('on a real influxd', () => {
  it('serves ping and WAN bandwidth history written by the real writer', async () => {
    const h = bearer(f.tokens.op!);
    const ping = (await f.app.inject({ url: `/api/v1/sites/a2/history?what=ping&from=${NOW - DAY}&to=${NOW}`, headers: h })).json() as { points: Array<{ t: number; values: Record<string, number | null> }> };
    expect(ping.points).toHaveLength(288);
    expect(ping.points[0]).toEqual({ t: NOW - DAY, values: { loss_pct: 0, rtt_avg_ms: 20, rtt_max_ms: 21, jitter_ms: 0.4 } });
    expect(ping.points[13]!.values.rtt_avg_ms).toBe(23);
    const bw = (await f.app.inject({ url: `/api/v1/sites/a2/history?what=bandwidth&from=${NOW - DAY}&to=${NOW}`, headers: h })).json() as { points: Array<{ values: Record<string, number | null> }> };
    expect(bw.points).toHaveLength(288);
    expect(bw.points[5]!.values).toEqual({ in_bps: 1e6 + 5, out_bps: 2e5 }); // the WAN (lte1), not the bridge
    const state = (await f.app.inject({ url: `/api/v1/sites/a2/history?what=state&from=${NOW - DAY}&to=${NOW}`, headers: h })).json() as { points: Array<{ values: Record<string, number | null> }> };
    expect(state.points.every((p) => p.values.state_code === 0)).toBe(true);
    expect((await f.app.inject('/readyz')).statusCode).toBe(200);
  });

  it('influxd down: pages render from the last known state with a banner, the API says 503; influxd back: charts return', async () => {
    const cookie = await session('op', 'op-pass-123');
    const before = await f.app.inject({ url: '/sites/a2', headers: { cookie, 'accept-language': 'en' } });
    expect(before.body).toMatch(/<path d="M/);
    expect(before.body).not.toContain('class="banner"');

    await influxd.stop();
    const t0 = Date.now();
    const site = await f.app.inject({ url: '/sites/a2', headers: { cookie, 'accept-language': 'en' } });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(site.statusCode).toBe(200);
    expect(site.body).toContain('The history database is not answering. Showing the last known state');
    expect(site.body).toContain('<h1>Điểm thông tin xã An</h1>');
    expect(site.body).not.toContain('<svg');
    const board = await f.app.inject({ url: '/board', headers: { cookie, 'accept-language': 'en' } });
    expect(board.statusCode).toBe(200);
    expect(board.body).toContain('class="banner"');
    expect(board.body).toContain('href="/sites/a1"');
    const api = await f.app.inject({ url: '/api/v1/sites/a2/history?what=ping', headers: bearer(f.tokens.op!) });
    expect(api.statusCode).toBe(503);
    expect((api.json() as { error: { code: string } }).error.code).toBe('unavailable');
    expect((await f.app.inject('/readyz')).statusCode).toBe(503);
    // what does not need InfluxDB keeps working
    expect((await f.app.inject({ url: `/api/v1/incidents/${incidentId}`, headers: bearer(f.tokens.op!) })).statusCode).toBe(200);

    await influxd.restart();
    const after = await f.app.inject({ url: '/sites/a2', headers: { cookie, 'accept-language': 'en' } });
    expect(after.body).not.toContain('class="banner"');
    expect(after.body).toMatch(/<path d="M/);
    expect((await f.app.inject('/readyz')).statusCode).toBe(200);
  });
});
