/**
 * Bad input against the API: the whole service (src/main.ts) on a real influxd with a small
 * simulated fleet polled twice, so there is data to protect. Between the service and influxd sits
 * a recording HTTP proxy: every InfluxQL statement the service sends is captured.
 *   - hostile values (InfluxQL / SQL injection, regex, newlines, NUL and control characters,
 *     unicode, RTL override, huge strings) in every filter, id and body field of the API and web
 *     routes: every answer is 2xx/3xx/4xx, NEVER 5xx, and no answer echoes a stack trace;
 *   - oversized bodies → 413;
 *   - nothing reached InfluxDB unescaped: no captured query text contains a hostile value except
 *     inside node-influx's escaped forms (string literal / quoted identifier); bound parameters
 *     are fine (they are data, not query text);
 *   - the store reader called directly with hostile site ids and area filters returns EMPTY (not an
 *     error, not everything), while a real id returns data (so the check can fail);
 *   - the data is intact afterwards (point counts, databases, users, incidents).
 * Fuzz of the probes' decoders lives with the probes (see tests/faults/README.md).
 * Prints one FAULTS line for the README.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { escape } from 'influx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthStore } from '../../src/api/auth/store.js';
import { settingsWithDefaults } from '../../src/config/defaults.js';
import { createLogger, silentLogger } from '../../src/core/logger.js';
import { startService, type Service } from '../../src/main.js';
import { createFleet, type Fleet } from '../../src/sim/fleet.js';
import { createInflux, exec } from '../../src/store/client.js';
import { createReader } from '../../src/store/reader.js';
import { startInfluxd, type Influxd } from '../helpers/influxd.js';
import { freeTcpPort } from '../helpers/ports.js';

const DB = 'pwhostile';
const ADMIN_PASS = 'hostile-admin-pass-1';
/** Values that would break a string-built query. Each carries a marker so we can find it in captured queries. */
const HOSTILE = [
  `PWX'; DROP DATABASE "${DB}"; --`,
  `PWX" OR 1=1 --`,
  `PWX' OR "site" =~ /.*/ OR 'a'='a`,
  `PWX/.*/`,
  `PWX\nDROP DATABASE "${DB}"`,
  `PWX\\'; DROP SERIES FROM /.*/; --`,
  `PWX'); DELETE FROM users; --`,
  `PWX\u0000\u0007\u001b[31m`,
  `PWX\u202egnp.exe Xã Mường 😀 𝕏`,
  `PWX${'A'.repeat(190)}`,
];
/** No marker: for the status checks only. */
const PLAIN = ['/.*/', '\n', "' OR ''='", '" OR 1=1', '..%2F..%2Fetc%2Fpasswd', '%00', '-1', '0', '1e309', '9'.repeat(40), '[object Object]', 'null'];

let influxd: Influxd;
let fleet: Fleet;
let svc: Service;
let proxy: http.Server;
const captured: Array<{ q: string; params: string }> = [];
let token = '';
let dir = '';

function startProxy(target: URL, port: number): Promise<http.Server> {
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/query') {
        const form = new URLSearchParams(req.headers['content-type']?.includes('form') ? body.toString('utf8') : '');
        const q = url.searchParams.get('q') ?? form.get('q') ?? '';
        captured.push({ q, params: url.searchParams.get('params') ?? form.get('params') ?? '' });
      }
      const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => { res.writeHead(502).end(); });
      up.end(body);
    });
  });
  return new Promise((r) => srv.listen(port, '127.0.0.1', () => r(srv)));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-faults-hostile-'));
  influxd = await startInfluxd();
  const proxyPort = await freeTcpPort();
  proxy = await startProxy(new URL(influxd.url), proxyPort);
  fleet = await createFleet({ sites: 8, basePort: 10_000 + Math.floor(Math.random() * 20_000), loopbackBlock: 84, netns: 'off' });
  const settings = settingsWithDefaults({
    data_dir: dir,
    runbooks_dir: path.resolve('config/runbooks'),
    influx: { url: `http://127.0.0.1:${proxyPort}`, database: DB, flush_interval_ms: 100 },
    poller: {
      ping: { interval_s: 10, count: 2, period_ms: 20, timeout_ms: 300 },
      snmp: { system_interval_s: 10, interfaces_interval_s: 10, timeout_ms: 1000, retries: 1 },
      recheck: { delay_s: 1 },
      spread: false,
    },
    auth: { login_attempts_per_minute: 1000 },
  });
  const settingsPath = path.join(dir, 'pointwatch.yaml');
  fs.writeFileSync(settingsPath, '{}\n');
  svc = await startService({
    loaded: { settings, inventory: fleet.inventory, settingsPath, inventoryPath: path.join(dir, 'sites.yaml'), warnings: [] },
    schedule: false,
    listen: false,
    logger: process.env.PW_DEBUG ? createLogger({ level: 'debug' }) : silentLogger(),
  });
  const auth = new AuthStore(svc.db);
  const admin = await auth.addUser('admin', 'admin', [], ADMIN_PASS);
  token = auth.createToken(admin.id, 'test').token;
  await svc.cycle();
  await svc.cycle();
}, 120_000);

afterAll(async () => {
  await svc?.stop();
  await fleet?.close();
  await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
  await influxd?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface Counts { ping: number; snmp: number; site_state: number; databases: number; users: number }

async function counts(): Promise<Counts> {
  const influx = createInflux({ ...svc.config.settings.influx, url: influxd.url });
  const out: Counts = { ping: 0, snmp: 0, site_state: 0, databases: 0, users: 0 };
  for (const [m, f] of [['ping', 'sent'], ['snmp', 'reachable'], ['site_state', 'state_code']] as const) {
    const r = await exec(influx, `SELECT COUNT("${f}") FROM "${DB}"."raw"."${m}"`, { database: DB });
    out[m] = Number(r.results[0]?.series?.[0]?.values?.[0]?.[1] ?? 0);
  }
  const dbs = await exec(influx, 'SHOW DATABASES');
  out.databases = (dbs.results[0]?.series?.[0]?.values ?? []).filter((v) => v[0] === DB).length;
  out.users = (svc.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  return out;
}

describe('the API under hostile input', () => {
  it('never answers 5xx, rejects oversized bodies, lets nothing reach InfluxDB unescaped, keeps the data', async () => {
    await svc.app.inject({ method: 'GET', url: '/api/v1/sites', headers: { authorization: `Bearer ${token}` } });
    const none: Counts = { ping: 0, snmp: 0, site_state: 0, databases: 0, users: 0 };
    let before = none;
    for (let i = 0; i < 150 && !(before.ping > 0 && before.site_state > 0); i++) { // the writer creates the schema and flushes in the background
      await new Promise((r) => setTimeout(r, 200));
      before = await counts().catch(() => none);
    }
    expect(before.ping).toBeGreaterThan(0);
    const login = await svc.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: ADMIN_PASS } });
    expect(login.statusCode).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const csrf = (login.json() as { csrf_token: string }).csrf_token;
    const auth = { authorization: `Bearer ${token}` };
    const web = { cookie };

    const enc = encodeURIComponent;
    const statuses = new Map<number, number>();
    const fivexx: string[] = [];
    let requests = 0;
    const send = async (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) => {
      const res = await svc.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as string } : {}) });
      requests++;
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500 || /\bat \S+ \(.*:\d+:\d+\)/.test(res.body)) fivexx.push(`${method} ${url} → ${res.statusCode} ${res.body.slice(0, 200)}`);
      return res;
    };
    for (const v of [...HOSTILE, ...PLAIN]) {
      const e = enc(v);
      for (const f of ['province', 'group', 'district', 'commune', 'state', 'sort', 'limit', 'offset']) await send('GET', `/api/v1/sites?${f}=${e}`, auth);
      await send('GET', `/api/v1/sites/${e}`, auth);
      for (const what of ['ping', 'bandwidth', 'state', e]) await send('GET', `/api/v1/sites/${e}/history?what=${what}`, auth);
      await send('GET', `/api/v1/sites/sim-0001/history?what=ping&from=${e}`, auth);
      await send('GET', `/api/v1/sites/sim-0001/history?what=ping&to=${e}`, auth);
      for (const f of ['province', 'group', 'district', 'commune', 'group_by', 'from', 'to']) await send('GET', `/api/v1/reports/coverage?${f}=${e}`, auth);
      await send('GET', `/api/v1/incidents?status=${e}&limit=${e}`, auth);
      await send('GET', `/api/v1/incidents/${e}`, auth);
      await send('POST', `/api/v1/incidents/${e}/ack`, auth, { note: v });
      await send('POST', `/api/v1/incidents/${e}/steps`, auth, { step: 1, done: true, note: v });
      await send('DELETE', `/api/v1/maintenance/${e}`, auth);
      await send('DELETE', `/api/v1/tokens/${e}`, auth);
      await send('GET', `/api/v1/runbooks/${e}/${e}`, auth);
      await send('GET', `/api/v1/runbooks/vi/${e}`, auth);
      await send('POST', '/api/v1/maintenance', auth, { sites: [v], start: v, end: v, reason: v });
      await send('POST', '/api/v1/maintenance', auth, { communes: [v], start: '2026-01-01T00:00:00Z', end: '2026-01-01T01:00:00Z', reason: v });
      await send('POST', '/api/v1/auth/login', {}, { username: v.slice(0, 64) || 'x', password: v || 'x' });
      await send('POST', '/api/v1/tokens', auth, { name: v });
      // web pages (session cookie)
      await send('GET', `/sites/${e}`, web);
      await send('GET', `/incidents/${e}`, web);
      await send('GET', `/incidents?status=${e}`, web);
      await send('GET', `/login?next=${e}`, {});
      await send('GET', `/lang/${e}`, web);
      await send('GET', `/coverage?commune=${e}&from=${e}`, web);
      await send('POST', `/incidents/${e}/ack`, { ...web, 'content-type': 'application/x-www-form-urlencoded' }, `_csrf=${enc(csrf)}&note=${e}`);
      await send('POST', '/maintenance', { ...web, 'content-type': 'application/x-www-form-urlencoded' }, `_csrf=${enc(csrf)}&sites=${e}&start=${e}&end=${e}&reason=${e}`);
      await send('POST', '/login', { 'content-type': 'application/x-www-form-urlencoded' }, `username=${e}&password=${e}`);
    }
    // malformed bodies
    for (const [ct, body] of [['application/json', '{"username": "admin", "password": '], ['application/json', '\u0000\u0001'], ['application/json', '[]'], ['application/json', '"x"'], ['application/x-www-form-urlencoded', '%%%'], ['text/plain', 'hello'], ['application/json', JSON.stringify({ username: 'admin', password: 'x', __proto__: { admin: true }, constructor: { prototype: { x: 1 } } })]] as const) {
      await send('POST', '/api/v1/auth/login', { 'content-type': ct }, body);
      await send('POST', '/api/v1/maintenance', { ...auth, 'content-type': ct }, body);
    }
    // oversized bodies: 413
    const big = JSON.stringify({ username: 'admin', password: 'x'.repeat(2 * 1024 * 1024) });
    const over = [
      await send('POST', '/api/v1/auth/login', { 'content-type': 'application/json' }, big),
      await send('POST', '/api/v1/maintenance', { ...auth, 'content-type': 'application/json' }, JSON.stringify({ sites: Array(200_000).fill('sim-0001'), start: 'x', end: 'x', reason: 'x' })),
      await send('POST', '/login', { 'content-type': 'application/x-www-form-urlencoded' }, `username=admin&password=${'y'.repeat(2 * 1024 * 1024)}`),
    ].map((r) => r.statusCode);

    // ---- the reader, directly, against the real influxd
    // through the recording proxy, like the service's own reader
    const reader = createReader(createInflux(svc.config.settings.influx), svc.config.settings.influx);
    const from = Date.now() - 3_600_000;
    const to = Date.now() + 60_000;
    const real = await reader.siteHistory('sim-0001', from, to, 'ping');
    expect(JSON.stringify(real).length, 'a real site id returns data').toBeGreaterThan(50);
    const readerLeaks: string[] = [];
    const readerErrors: string[] = [];
    const empty = (x: unknown) => {
      if (Array.isArray(x)) return x.length === 0;
      if (x && typeof x === 'object') return Object.values(x).every((v) => !Array.isArray(v) || v.length === 0);
      return true;
    };
    for (const v of [...HOSTILE, ...PLAIN]) {
      for (const what of ['ping', 'bandwidth', 'state'] as const) {
        try {
          const r = await reader.siteHistory(v, from, to, what);
          if (!empty(r)) readerLeaks.push(`siteHistory(${JSON.stringify(v)}, ${what}) → ${JSON.stringify(r).slice(0, 120)}`);
        } catch (err) { readerErrors.push(`siteHistory ${JSON.stringify(v)}: ${String(err)}`); }
      }
      for (const call of [
        () => reader.siteEvents(v, from, to),
        () => reader.availabilityBySite(from, to, { commune: v }),
        () => reader.availabilityBySite(from, to, { province: v, group: v }),
      ]) {
        try {
          const r = await call();
          if (!empty(r)) readerLeaks.push(`${JSON.stringify(v)} → ${JSON.stringify(r).slice(0, 120)}`);
        } catch (err) { readerErrors.push(`${JSON.stringify(v)}: ${String(err)}`); }
      }
    }

    // ---- what reached InfluxDB: hostile text only inside escaped forms
    const unescaped: string[] = [];
    let withHostile = 0;
    const bound = captured.filter((c) => c.params.includes('PWX')).length;
    for (const { q } of captured) {
      if (!q.includes('PWX')) continue;
      withHostile++;
      let rest = q;
      for (const v of HOSTILE) rest = rest.split(escape.stringLit(v)).join('').split(escape.quoted(v)).join('');
      if (rest.includes('PWX')) unescaped.push(q.slice(0, 200));
    }

    await svc.cycle(); // the service still works
    let after = await counts();
    for (let i = 0; i < 50 && after.ping <= before.ping; i++) {
      await new Promise((r) => setTimeout(r, 200));
      after = await counts();
    }
    const sitesAfter = await svc.app.inject({ method: 'GET', url: '/api/v1/sites?limit=100', headers: auth });
    const statusText = [...statuses.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}x${n}`).join(',');
    process.stdout.write(
      `FAULTS api-hostile: requests=${requests} statuses=${statusText} status_5xx=${fivexx.length} oversized=${over.join('/')} ` +
      `influx_queries=${captured.length} queries_with_hostile_params=${bound} queries_with_hostile_text=${withHostile} unescaped=${unescaped.length} reader_calls=${(HOSTILE.length + PLAIN.length) * 6} reader_leaks=${readerLeaks.length} reader_errors=${readerErrors.length} ` +
      `points_before=${before.ping}/${before.snmp}/${before.site_state} points_after=${after.ping}/${after.snmp}/${after.site_state} users=${before.users}->${after.users}\n`,
    );
    expect(fivexx.slice(0, 10)).toEqual([]);
    expect(over).toEqual([413, 413, 413]);
    expect(unescaped).toEqual([]);
    expect(bound, 'the hostile ids did reach InfluxDB (as bound parameters)').toBeGreaterThan(0);
    expect(readerLeaks).toEqual([]);
    expect(readerErrors).toEqual([]);
    expect(after.databases).toBe(1);
    expect(after.ping).toBeGreaterThan(before.ping); // nothing deleted, and the cycle after still wrote
    expect(after.snmp).toBeGreaterThanOrEqual(before.snmp);
    expect(after.users).toBe(before.users);
    expect(sitesAfter.statusCode).toBe(200);
    expect((sitesAfter.json() as { total: number }).total).toBe(8);
  }, 180_000);
});
