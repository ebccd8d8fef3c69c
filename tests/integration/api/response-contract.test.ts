/**
 * Every route states what it answers, and the answer really goes through that statement:
 * - every route the built app registered (seen by fastify's onRoute, so routes added later are
 *   covered too) declares a 2xx response schema that is not empty or unknown (pages: text/html);
 * - the OpenAPI document at /docs/json shows that schema for every operation;
 * - answers are serialized through it: a field the schema does not declare is dropped, and no
 *   field the Service builds is lost (each GET's body equals the Service's own answer).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/server.js';
import { isConcreteSchema, responseContractProblems } from '../../../src/api/route-contract.js';
import type { Principal } from '../../../src/api/auth/scope.js';
import { siteWithDefaults } from '../../../src/config/defaults.js';
import { SnmpV1V2 } from '../../../src/config/schema.js';
import { bearer, CA, D1, fleet, makeFixture, NOW, PROVINCE, type Fixture } from './fixtures.js';

let f: Fixture;
let admin: Principal;

/** The 21 routes of the JSON API when the contract check was written: all must stay covered. */
const API_ROUTES = [
  'POST /api/v1/auth/login', 'POST /api/v1/auth/logout', 'GET /api/v1/auth/me',
  'GET /api/v1/tokens', 'POST /api/v1/tokens', 'DELETE /api/v1/tokens/:id',
  'GET /api/v1/sites', 'GET /api/v1/sites/:id', 'GET /api/v1/sites/:id/history',
  'GET /api/v1/incidents', 'GET /api/v1/incidents/:id', 'POST /api/v1/incidents/:id/ack', 'POST /api/v1/incidents/:id/steps',
  'GET /api/v1/maintenance', 'POST /api/v1/maintenance', 'DELETE /api/v1/maintenance/:id',
  'GET /api/v1/runbooks', 'GET /api/v1/runbooks/:lang/:kind', 'GET /api/v1/reports/coverage',
  'POST /api/v1/admin/inventory/reload', 'GET /api/v1/admin/audit',
];

beforeAll(async () => {
  f = await makeFixture();
  admin = f.auth.userForToken(f.tokens.admin!)!;
  // A site with every optional field set, so a field dropped by its schema would show.
  const full = siteWithDefaults({
    id: 'a9', name: 'Điểm đầy đủ', kind: 'info_point', province: PROVINCE, group: D1, commune: CA, village: 'Thôn 9', lat: 22.3, lon: 103.8,
    host: '192.0.2.9', snmp: { version: '2c', community: 'community-SECRET-a9' }, parent: 'a2', uplink: 'fibre', vendor: 'mikrotik', wan_interface: 'ether1',
    tags: ['pilot'], added: '2026-01-15',
    contacts: [{ name: 'Anh Minh', phone: '0912 000 111', zalo: '0912000111', email: 'minh@example.org', telegram_chat_id: '12345', lang: 'vi', role: 'keeper' }],
  });
  f.inventory.current = { ...f.inventory.current, sites: [...f.inventory.current.sites, full] };
});
afterAll(async () => {
  await f.close();
});

const routeNames = (routes: readonly { method: string | string[]; url: string }[]) =>
  routes.flatMap((r) => [r.method].flat().map((m) => `${m} ${r.url}`));

describe('every route declares its answer', () => {
  it('no registered route lacks a 2xx response schema, and the hook saw every API route', () => {
    expect(routeNames(f.app.pw.routes)).toEqual(expect.arrayContaining(API_ROUTES));
    expect(responseContractProblems(f.app.pw.routes)).toEqual([]);
  });

  it('no answer declares a field the configuration marks as secret', () => {
    // Config secrets (communities, v3 keys, tokens, passwords) are described "(secret: never logged)".
    const marked = JSON.stringify(SnmpV1V2);
    expect(marked, 'the marker this check relies on').toContain('(secret: never logged)');
    const leaking = f.app.pw.routes.filter((r) => JSON.stringify((r.schema as { response?: unknown } | undefined)?.response ?? {}).includes('(secret:'));
    expect(routeNames(leaking)).toEqual([]);
  });

  it('a route added without one is caught by the same check', async () => {
    const app = await buildServer(f.deps);
    app.get('/api/v1/new-thing', async () => ({ ok: true }));
    app.get('/public/new-page', { schema: { hide: true, response: { 200: {} } } }, async () => 'x');
    expect(responseContractProblems(app.pw.routes)).toEqual([
      'GET /api/v1/new-thing: no response schema',
      'GET /public/new-page: 200 response schema is empty or unknown',
    ]);
    await app.close();
  });

  it('/docs/json shows a non-empty 2xx JSON schema for every operation of the API', async () => {
    const doc = (await f.app.inject('/docs/json')).json() as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
    };
    const ops = Object.entries(doc.paths).flatMap(([p, methods]) => Object.entries(methods).map(([m, op]) => ({ name: `${m.toUpperCase()} ${p}`, op })));
    // Every visible route is in the document (fastify-swagger writes :id as {id}).
    const visible = routeNames(f.app.pw.routes.filter((r) => !(r.schema as { hide?: boolean } | undefined)?.hide && !r.url.startsWith('/docs')))
      .filter((n) => !n.startsWith('HEAD '))
      .map((n) => n.replace(/:([a-z_]+)/g, '{$1}'));
    expect(ops.map((o) => o.name).sort()).toEqual([...new Set(visible)].sort());
    expect(ops.length).toBeGreaterThanOrEqual(API_ROUTES.length);
    const missing = ops.filter(({ op }) => {
      const ok = Object.entries(op.responses).filter(([code]) => /^2/.test(code));
      // A 204 has no body in OpenAPI; every other 2xx must carry a real schema.
      return ok.length === 0 || ok.some(([code, r]) => code !== '204' && !isConcreteSchema(r.content?.['application/json']?.schema));
    });
    expect(missing.map((o) => o.name)).toEqual([]);
  });
});

describe('answers are serialized through the schema', () => {
  it('a field the schema does not declare never leaves the server', async () => {
    Object.assign(f.incidents.items[0]!, { internal_note: 'SECRET-not-declared' });
    const r = await f.app.inject({ url: '/api/v1/incidents/1', headers: bearer(f.tokens.admin!) });
    expect(r.statusCode).toBe(200);
    expect(r.body).not.toContain('SECRET-not-declared');
    expect((r.json() as { incident: Record<string, unknown> }).incident).not.toHaveProperty('internal_note');
    f.incidents.reset();
  });

  it('no field the Service builds is lost: each GET body equals its answer', async () => {
    const h = bearer(f.tokens.admin!);
    // Fill the optional parts first: a recorded step (with history) and an audit entry.
    expect((await f.app.inject({ method: 'POST', url: '/api/v1/incidents/1/steps', headers: h, payload: { step: 1, done: true, note: 'đèn nguồn tắt' } })).statusCode).toBe(200);
    const svc = f.app.pw.svc;
    const to = NOW;
    const cases: Array<{ url: string; expected: () => unknown }> = [
      { url: '/api/v1/sites?limit=500', expected: () => svc.listSites(admin, { limit: 500, offset: 0 }) },
      { url: '/api/v1/sites/a2', expected: () => svc.siteDetail(admin, 'a2') },
      { url: '/api/v1/sites/a9', expected: () => svc.siteDetail(admin, 'a9') },
      ...(['ping', 'bandwidth', 'state'] as const).map((what) => ({
        url: `/api/v1/sites/a1/history?what=${what}&to=${to}`, expected: () => svc.siteHistory(admin, 'a1', to - 86_400_000, to, what),
      })),
      { url: '/api/v1/incidents?status=all', expected: () => svc.listIncidents(admin, { status: 'all', limit: 50, offset: 0 }) },
      { url: '/api/v1/incidents/1?lang=vi', expected: () => svc.incidentDetail(admin, 1, 'vi') },
      { url: '/api/v1/incidents/4?lang=en', expected: () => svc.incidentDetail(admin, 4, 'en') },
      { url: '/api/v1/maintenance', expected: async () => ({ items: await svc.listMaintenance(admin) }) },
      { url: '/api/v1/runbooks', expected: () => ({ items: svc.listRunbooks() }) },
      { url: '/api/v1/runbooks/en/site-down', expected: () => svc.getRunbook('en', 'site-down') },
      { url: `/api/v1/reports/coverage?to=${to}&group_by=commune`, expected: () => svc.coverage(admin, { from: to - 30 * 86_400_000, to, group_by: 'commune' }) },
      { url: `/api/v1/reports/coverage?to=${to}`, expected: () => svc.coverage(admin, { from: to - 30 * 86_400_000, to, group_by: 'site' }) },
      { url: '/api/v1/admin/audit', expected: () => svc.auditLog(admin, 50, 0) },
      { url: '/api/v1/tokens', expected: () => ({ items: f.auth.listTokens(admin.id) }) },
    ];
    for (const c of cases) {
      const r = await f.app.inject({ url: c.url, headers: h });
      expect(r.statusCode, c.url).toBe(200);
      expect(r.json(), c.url).toEqual(JSON.parse(JSON.stringify(await c.expected())));
    }
    // The site with every field keeps every field, and its contact's chat id; never the community.
    const a9 = (await f.app.inject({ url: '/api/v1/sites/a9', headers: h })).json() as { site: Record<string, unknown> };
    expect(a9.site).toMatchObject({ village: 'Thôn 9', lat: 22.3, added: '2026-01-15', snmp: { version: '2c' }, contacts: [{ telegram_chat_id: '12345' }] });
    expect(JSON.stringify(a9)).not.toContain('community-SECRET');
  });

  it('answers of unsafe methods keep their fields too', async () => {
    const h = bearer(f.tokens.op!);
    const ack = await f.app.inject({ method: 'POST', url: '/api/v1/incidents/1/ack', headers: h, payload: { note: 'đang đến' } });
    expect(ack.json()).toEqual(JSON.parse(JSON.stringify(f.incidents.getIncident(1))));
    const w = await f.app.inject({ method: 'POST', url: '/api/v1/maintenance', headers: h, payload: { communes: [CA], start: '2026-11-21T01:00:00Z', end: '2026-11-21T03:00:00Z', reason: 'EVN' } });
    expect(w.statusCode).toBe(201);
    const created = w.json() as { id: number };
    expect(created).toEqual(JSON.parse(JSON.stringify(f.incidents.listMaintenance().find((x) => x.id === created.id))));
    const reload = await f.app.inject({ method: 'POST', url: '/api/v1/admin/inventory/reload', headers: bearer(f.tokens.admin!) });
    expect(reload.json()).toEqual({ sites: fleet().sites.length });
    f.incidents.reset();
  });
});
