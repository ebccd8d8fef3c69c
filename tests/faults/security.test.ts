/**
 * Secrets and session cookies, on a whole service run (src/main.ts) against real components: an
 * influxd, a simulated fleet with its own community and v3 keys, a site really down (network
 * namespace) so that notifications fire, towards a webhook and an SMTP server that REFUSE
 * (nothing listens). The run includes failures on purpose: a wrong v3 auth key, a wrong
 * community, refused notifiers, a failed login with a wrong password.
 *   - every pino line of the run is captured (debug level) and grepped for EVERY secret value:
 *     communities (right and wrong), v3 auth/priv keys (right and wrong), webhook secret, SMTP and
 *     InfluxDB passwords, session secret, user passwords (right and wrong), the API token and the
 *     session cookie value;
 *   - every API/web response of a crawl with an admin token and a session (bodies and headers, but
 *     the login's own Set-Cookie) is grepped for the same values;
 *   - the session cookie is HttpOnly + SameSite, and Secure when public_url is https (a second
 *     service started with an https public_url).
 * The role × endpoint × scope matrix lives in tests/integration/api/scope-matrix.test.ts.
 * Prints one FAULTS line for the README.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthStore } from '../../src/api/auth/store.js';
import { settingsWithDefaults } from '../../src/config/defaults.js';
import type { Inventory } from '../../src/config/schema.js';
import { createLogger } from '../../src/core/logger.js';
import { startService, type Service } from '../../src/main.js';
import { createFleet, type Fleet } from '../../src/sim/fleet.js';
import { startInfluxd, type Influxd } from '../helpers/influxd.js';
import { freeTcpPort } from '../helpers/ports.js';

const S = {
  community: 'sec-community-4fa9e1',
  v3auth: 'sec-v3-auth-key-77c2',
  v3priv: 'sec-v3-priv-key-0d3b',
  wrongAuth: 'sec-wrong-auth-key-5e61',
  wrongCommunity: 'sec-wrong-community-a8b0',
  webhook: 'sec-webhook-secret-19fd',
  smtp: 'sec-smtp-password-62aa',
  influx: 'sec-influx-password-3c7e',
  session: 'sec-session-secret-0123456789abcdef0123',
  adminPass: 'sec-admin-password-9911',
  wrongPass: 'sec-wrong-password-4410',
};
const V3_SITE = 'sim-0005'; // i % 9 === 4: a v3 router in the simulator
const WRONG_COMMUNITY_SITE = 'sim-0003';
const DOWN_SITE = 'sim-0007';

let influxd: Influxd;
let fleet: Fleet;
let svc: Service;
let svcHttps: Service;
const logs: string[] = [];
let dir = '';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-faults-sec-'));
  influxd = await startInfluxd();
  fleet = await createFleet({
    sites: 10, basePort: 10_000 + Math.floor(Math.random() * 20_000), loopbackBlock: 85, netnsSites: [DOWN_SITE],
    creds: { community: S.community, v3: { user: 'secv3', auth_key: S.v3auth, priv_key: S.v3priv } },
  });
  expect(fleet.netns.active, `network namespace needed: ${fleet.netns.reason}`).toBe(true);
  await fleet.setFault(DOWN_SITE, { kind: 'down' });
  const inventory: Inventory = {
    ...fleet.inventory,
    sites: fleet.inventory.sites.map((s) => {
      if (s.id === V3_SITE && s.snmp && s.snmp.version === '3') return { ...s, snmp: { ...s.snmp, auth: { ...s.snmp.auth!, key: S.wrongAuth } } };
      if (s.id === WRONG_COMMUNITY_SITE && s.snmp && s.snmp.version === '2c') return { ...s, snmp: { ...s.snmp, community: S.wrongCommunity } };
      return s;
    }),
  };
  const deadHook = await freeTcpPort();
  const deadSmtp = await freeTcpPort();
  const base = (data: string, publicUrl: string) => settingsWithDefaults({
    data_dir: data,
    runbooks_dir: path.resolve('config/runbooks'),
    log_level: 'debug',
    influx: { url: influxd.url, database: 'pwsec', username: 'pointwatch', password: S.influx, flush_interval_ms: 200 },
    poller: {
      ping: { interval_s: 10, count: 3, period_ms: 20, timeout_ms: 300 },
      snmp: { system_interval_s: 10, interfaces_interval_s: 10, timeout_ms: 500, retries: 0 },
      recheck: { delay_s: 1 },
      spread: false,
    },
    notifiers: [
      { type: 'webhook', name: 'hook', url: `http://127.0.0.1:${deadHook}/pw`, secret: S.webhook, timeout_ms: 500 },
      { type: 'email', name: 'mail', host: '127.0.0.1', port: deadSmtp, user: 'pw', password: S.smtp, from: 'pw@example.org', to: ['noc@example.org'], timeout_ms: 1000 },
    ],
    api: { host: '127.0.0.1', port: 0, public_url: publicUrl, session_secret: S.session },
  });
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void logs.push(s) } });
  const start = async (sub: string, publicUrl: string, schedule: boolean) => {
    const d = path.join(dir, sub);
    fs.mkdirSync(d, { recursive: true });
    const settingsPath = path.join(d, 'pointwatch.yaml');
    fs.writeFileSync(settingsPath, '{}\n');
    return startService({
      loaded: { settings: base(d, publicUrl), inventory, settingsPath, inventoryPath: path.join(d, 'sites.yaml'), warnings: [] },
      schedule, listen: false, logger,
    });
  };
  svc = await start('http', 'http://127.0.0.1:8080', false);
  svcHttps = await start('https', 'https://pointwatch.example.org', false);
}, 120_000);

afterAll(async () => {
  await svc?.stop();
  await svcHttps?.stop();
  await fleet?.close();
  await influxd?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('no secret anywhere; session cookies flagged', () => {
  it('a run with failures logs no secret, answers no secret, and sets safe cookies', async () => {
    const auth = new AuthStore(svc.db);
    const admin = await auth.addUser('admin', 'admin', [], S.adminPass);
    const token = auth.createToken(admin.id, 'sec').token;

    for (let i = 0; i < 4; i++) await svc.cycle(); // the wrong key / community fail; the down site fires; notifiers refuse
    await new Promise((r) => setTimeout(r, 2000)); // deliveries fail (refused) and are logged

    // a failed login (wrong password), then a good one
    const bad = await svc.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: S.wrongPass } });
    expect(bad.statusCode).toBe(401);
    // the web form: its CSRF cookie + hidden token first
    const form = await svc.app.inject({ method: 'GET', url: '/login' });
    const formCookieHeader = ([] as string[]).concat(form.headers['set-cookie'] ?? []);
    const formCookie = formCookieHeader[0]!.split(';')[0]!;
    const formToken = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    expect(formToken).not.toBe('');
    const webForm = (password: string) => ({ method: 'POST' as const, url: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: formCookie }, payload: `username=admin&password=${password}&_csrf=${encodeURIComponent(formToken)}` });
    const badWeb = await svc.app.inject(webForm(S.wrongPass));
    expect(badWeb.statusCode).toBe(401);
    const login = await svc.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: S.adminPass } });
    expect(login.statusCode).toBe(200);
    const setCookie = String(login.headers['set-cookie']);
    const cookie = setCookie.split(';')[0]!;
    const cookieValue = cookie.split('=').slice(1).join('=');
    const loginHttps = await svcHttps.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: S.adminPass } });
    // the https service has its own database: a user there first
    let setCookieHttps = String(loginHttps.headers['set-cookie'] ?? '');
    if (loginHttps.statusCode !== 200) {
      await new AuthStore(svcHttps.db).addUser('admin', 'admin', [], S.adminPass);
      const again = await svcHttps.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: S.adminPass } });
      expect(again.statusCode).toBe(200);
      setCookieHttps = String(again.headers['set-cookie']);
    }
    const webLogin = await svc.app.inject(webForm(S.adminPass));
    expect(webLogin.statusCode).toBe(303);
    const sessionName = cookie.split('=')[0]!;
    const setCookieWeb = ([] as string[]).concat(webLogin.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${sessionName}=`)) ?? '';

    // crawl: every read endpoint, with the token and with the session
    const incidents = (await svc.app.inject({ method: 'GET', url: '/api/v1/incidents?status=all', headers: { authorization: `Bearer ${token}` } })).json() as { items: Array<{ id: number }> };
    expect(incidents.items.length, 'the down site and the SNMP failures opened incidents').toBeGreaterThan(0);
    const ids = incidents.items.map((i) => i.id);
    const urls = [
      '/api/v1/sites?limit=100', ...fleet.sites.map((s) => `/api/v1/sites/${s.id}`), `/api/v1/sites/${V3_SITE}/history?what=ping`, `/api/v1/sites/${DOWN_SITE}/history?what=state`,
      '/api/v1/incidents?status=all', ...ids.map((i) => `/api/v1/incidents/${i}`), '/api/v1/auth/me', '/api/v1/tokens', '/api/v1/maintenance', '/api/v1/runbooks',
      '/api/v1/admin/audit', '/api/v1/reports/coverage', '/metrics', '/readyz', '/healthz', '/docs/json',
      '/board', ...fleet.sites.map((s) => `/sites/${s.id}`), '/incidents', ...ids.map((i) => `/incidents/${i}`), '/maintenance', '/coverage',
      // the signed pages the notices link to (signed with a key derived from the server secret)
      ...ids.flatMap((i) => svc.engine.repo.noticesFor(i).map((n) => new URL(n.notice.runbook_url).pathname)),
    ];
    expect(urls.filter((u) => u.startsWith('/s/')).length, 'notices carry signed links').toBeGreaterThan(0);
    const responses: string[] = [];
    for (const url of urls) {
      for (const headers of [{ authorization: `Bearer ${token}` }, { cookie }]) {
        const res = await svc.app.inject({ method: 'GET', url, headers });
        expect(res.statusCode, url).toBeLessThan(500);
        responses.push(`${url} ${res.statusCode} ${JSON.stringify(res.headers)} ${res.body}`);
      }
    }
    // the login answers themselves, without their own Set-Cookie
    for (const r of [bad, badWeb, login, webLogin]) responses.push(`${JSON.stringify({ ...r.headers, 'set-cookie': undefined })} ${r.body}`);

    const secrets = { ...S, apiToken: token, sessionCookie: cookieValue };
    const logText = logs.join('');
    const respText = responses.join('\n');
    const inLogs = Object.entries(secrets).filter(([, v]) => logText.includes(v)).map(([k]) => k);
    const inResponses = Object.entries(secrets).filter(([, v]) => respText.includes(v)).map(([k]) => k);
    const failuresLogged = {
      snmp: logs.filter((l) => l.includes(V3_SITE) || l.includes(WRONG_COMMUNITY_SITE)).length,
      notifier: logs.filter((l) => /"component":"(dispatcher|notifier[^"]*)"/.test(l) && /fail|error|refused/i.test(l)).length,
      login: logs.filter((l) => l.includes('login failed')).length,
    };
    const flags = (c: string) => ({ httpOnly: /;\s*HttpOnly/i.test(c), sameSite: /;\s*SameSite=(Lax|Strict)/i.exec(c)?.[1] ?? null, secure: /;\s*Secure/i.test(c) });
    process.stdout.write(
      `FAULTS security: log_lines=${logs.length} responses=${responses.length} secrets_checked=${Object.keys(secrets).length} secrets_in_logs=${inLogs.length} secrets_in_responses=${inResponses.length} ` +
      `failures_logged=snmp:${failuresLogged.snmp},notifier:${failuresLogged.notifier},login:${failuresLogged.login} ` +
      `cookie_http=${JSON.stringify(flags(setCookie))} cookie_web=${JSON.stringify(flags(setCookieWeb))} cookie_login_form=${JSON.stringify(flags(formCookieHeader[0]!))} cookie_https=${JSON.stringify(flags(setCookieHttps))}\n`,
    );
    expect(inLogs).toEqual([]);
    expect(inResponses).toEqual([]);
    // the run did include the failures we grep for
    expect(failuresLogged.snmp).toBeGreaterThan(0);
    expect(failuresLogged.notifier).toBeGreaterThan(0);
    expect(failuresLogged.login).toBeGreaterThan(0);
    expect(flags(setCookie)).toEqual({ httpOnly: true, sameSite: expect.stringMatching(/Lax|Strict/), secure: false });
    expect(flags(setCookieWeb)).toEqual({ httpOnly: true, sameSite: expect.stringMatching(/Lax|Strict/), secure: false });
    expect(flags(formCookieHeader[0]!)).toEqual({ httpOnly: true, sameSite: expect.stringMatching(/Lax|Strict/), secure: false });
    expect(flags(setCookieHttps)).toEqual({ httpOnly: true, sameSite: expect.stringMatching(/Lax|Strict/), secure: true });
  }, 180_000);
});
