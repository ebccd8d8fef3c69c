/**
 * Every /api/v1 route, health, metrics and docs through app.inject(), with their 400/401/403/404
 * paths, cookie flags, CSRF, rate limit, body limit. Every response body is kept and checked at
 * the end for secrets (communities, v3 keys, password hashes, other users' tokens).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { InputError } from '../../../src/core/errors.js';
import { bearer, CA, D1, fleet, makeFixture, NOW, SECRETS, type Fixture } from './fixtures.js';
import { ALERT_KINDS } from '../../../src/alerting/notice.js';

const seen: string[] = [];
let f: Fixture;

async function call(opts: InjectOptions | string): Promise<LightMyRequestResponse> {
  const res = await f.app.inject(opts);
  seen.push(JSON.stringify(res.headers) + res.body);
  return res;
}
const err = (res: LightMyRequestResponse) => (res.json() as { error: { code: string; message: string; field?: string } }).error;

async function login(name: string, password: string) {
  const res = await call({ method: 'POST', url: '/api/v1/auth/login', payload: { username: name, password } });
  const c = res.cookies.find((x) => x.name === 'pw_session');
  return { res, cookie: c ? `pw_session=${c.value}` : '', csrf: res.statusCode === 200 ? (res.json() as { csrf_token: string }).csrf_token : '' };
}

beforeAll(async () => {
  f = await makeFixture({ passwords: true, settings: { auth: { session_ttl: '1h', login_attempts_per_minute: 1000 }, api: { body_limit_bytes: 4096 } } });
});
afterAll(async () => {
  await f.close();
});
beforeEach(() => {
  f.incidents.reset();
  f.history.down = false;
});

describe('health, metrics, docs', () => {
  it('/healthz answers ok', async () => {
    const r = await call('/healthz');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: 'ok' });
  });
  it('/readyz is 200 when the store answers and 503 when it does not', async () => {
    expect((await call('/readyz')).statusCode).toBe(200);
    f.history.down = true;
    const r = await call('/readyz');
    expect(r.statusCode).toBe(503);
    expect(r.json()).toEqual({ status: 'not ready', store: 'unavailable' });
  });
  it('/metrics renders the dep counters in Prometheus text format', async () => {
    const r = await call('/metrics');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0.0.4/);
    expect(r.body).toContain('# TYPE pointwatch_notifications_sent_total counter\npointwatch_notifications_sent_total{channel="email"} 7\n');
    expect(r.body).toContain('pointwatch_cycle_duration_seconds{probe="ping"} 1.25');
  });
  it('/docs/json is OpenAPI 3 listing every API route, and /docs serves the UI', async () => {
    const r = await call('/docs/json');
    const doc = r.json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.0.3');
    for (const p of ['/api/v1/sites', '/api/v1/sites/{id}', '/api/v1/sites/{id}/history', '/api/v1/incidents', '/api/v1/incidents/{id}/ack', '/api/v1/incidents/{id}/steps', '/api/v1/maintenance', '/api/v1/maintenance/{id}', '/api/v1/runbooks/{lang}/{kind}', '/api/v1/reports/coverage', '/api/v1/admin/inventory/reload', '/api/v1/auth/login', '/api/v1/tokens']) {
      expect(doc.paths, p).toHaveProperty([p]);
    }
    expect(doc.paths).not.toHaveProperty(['/board']);
    const ui = await call('/docs/');
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
  });
  it('an unknown API route is a 404 in the error shape', async () => {
    const r = await call({ url: '/api/v1/nope', headers: bearer(f.tokens.admin!) });
    expect(r.statusCode).toBe(404);
    expect(err(r).code).toBe('not_found');
  });
});

describe('authentication', () => {
  it('login sets a signed, httpOnly, SameSite=Lax session cookie (not Secure on http)', async () => {
    const { res, csrf } = await login('op', 'op-pass-123');
    expect(res.statusCode).toBe(200);
    expect(csrf.length).toBeGreaterThan(20);
    const c = res.cookies.find((x) => x.name === 'pw_session')!;
    expect(c.httpOnly).toBe(true);
    expect(c.sameSite).toBe('Lax');
    expect(c.secure).toBeUndefined();
    expect(c.path).toBe('/');
    expect(c.maxAge).toBe(3600);
    expect(c.value).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9+/=_-]+$/); // value.signature
    expect(res.json()).toMatchObject({ user: { name: 'op', role: 'operator' } });
  });

  it('the cookie is Secure when public_url is https', async () => {
    const g = await makeFixture({ passwords: true, settings: { api: { public_url: 'https://pointwatch.example.vn' } } });
    try {
      const res = await g.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'op', password: 'op-pass-123' } });
      expect(res.cookies.find((x) => x.name === 'pw_session')!.secure).toBe(true);
    } finally {
      await g.close();
    }
  });

  it('a wrong password and an unknown user get the same 401 (no hint which)', async () => {
    const a = await login('op', 'wrong-password');
    const b = await login('nobody', 'op-pass-123');
    expect(a.res.statusCode).toBe(401);
    expect(b.res.statusCode).toBe(401);
    expect(a.res.body).toBe(b.res.body);
    expect(a.res.cookies).toHaveLength(0);
  });

  it('a wrong token, a malformed header and no credentials get the same 401', async () => {
    const bodies = [];
    for (const headers of [bearer('pwt_not-a-real-token-000000'), { authorization: 'Basic b3A6b3A=' }, {}]) {
      const r = await call({ url: '/api/v1/sites', headers });
      expect(r.statusCode).toBe(401);
      bodies.push(r.body);
    }
    expect(new Set(bodies).size).toBe(1);
    expect(err((await call({ url: '/api/v1/sites' })))).toEqual({ code: 'unauthorized', message: 'authentication required or invalid credentials' });
  });

  it('login body is validated: unknown and missing fields are 400 naming the field', async () => {
    const extra = await call({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'op', password: 'x', remember: true } });
    expect(extra.statusCode).toBe(400);
    expect(err(extra).field).toBe('remember');
    const missing = await call({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'op' } });
    expect(missing.statusCode).toBe(400);
    expect(err(missing).field).toBe('password');
  });

  it('me answers for a cookie session (with its CSRF token) and for a token (without)', async () => {
    const { cookie, csrf } = await login('trainee', 'trainee-pass-1');
    const a = await call({ url: '/api/v1/auth/me', headers: { cookie } });
    expect(a.json()).toEqual({ user: { name: 'trainee', role: 'trainee', scope: [{ level: 'commune', name: CA }], lang: null }, csrf_token: csrf });
    const b = await call({ url: '/api/v1/auth/me', headers: bearer(f.tokens.reviewer!) });
    expect(b.json()).toMatchObject({ user: { name: 'reviewer' }, csrf_token: null });
  });

  it('a tampered cookie is not a session', async () => {
    const { cookie } = await login('op', 'op-pass-123');
    const tampered = cookie.replace(/^pw_session=./, (m) => m.slice(0, -1) + (m.endsWith('A') ? 'B' : 'A'));
    const r = await call({ url: '/api/v1/auth/me', headers: { cookie: tampered } });
    expect(r.statusCode).toBe(401);
  });

  it('cookie-authenticated unsafe requests need the CSRF token; tokens do not', async () => {
    const { cookie, csrf } = await login('op', 'op-pass-123');
    const none = await call({ method: 'POST', url: '/api/v1/incidents/1/ack', headers: { cookie }, payload: {} });
    expect(none.statusCode).toBe(403);
    expect(err(none).code).toBe('csrf');
    const wrong = await call({ method: 'POST', url: '/api/v1/incidents/1/ack', headers: { cookie, 'x-csrf-token': `${csrf}x` }, payload: {} });
    expect(wrong.statusCode).toBe(403);
    expect(f.incidents.items[0]!.acknowledged_by).toBeNull();
    const ok = await call({ method: 'POST', url: '/api/v1/incidents/1/ack', headers: { cookie, 'x-csrf-token': csrf }, payload: {} });
    expect(ok.statusCode).toBe(200);
    // GET with a cookie needs no token
    expect((await call({ url: '/api/v1/incidents', headers: { cookie } })).statusCode).toBe(200);
  });

  it('logout needs the CSRF token, ends the session server-side and clears the cookie', async () => {
    const { cookie, csrf } = await login('op', 'op-pass-123');
    expect((await call({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } })).statusCode).toBe(403);
    const out = await call({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === 'pw_session')?.value).toBe('');
    expect((await call({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('a session expires after auth.session_ttl', async () => {
    const { cookie } = await login('op', 'op-pass-123');
    expect((await call({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(200);
    f.clock.advance(3600_001);
    try {
      expect((await call({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(401);
    } finally {
      f.clock.set(NOW);
    }
  });

  it('login is rate-limited per client (auth.login_attempts_per_minute)', async () => {
    const g = await makeFixture({ passwords: true, settings: { auth: { session_ttl: '1h', login_attempts_per_minute: 3 } } });
    try {
      const codes = [];
      for (let i = 0; i < 5; i++) {
        const r = await g.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'op', password: i === 4 ? 'op-pass-123' : 'bad' }, remoteAddress: '10.9.9.9' });
        codes.push(r.statusCode);
        if (r.statusCode === 429) expect(err(r).code).toBe('rate_limited');
      }
      // the 4th and 5th are refused even though the 5th has the right password
      expect(codes).toEqual([401, 401, 401, 429, 429]);
      // the web form draws on the same budget
      const page = await g.app.inject({ url: '/login', remoteAddress: '10.9.9.9' });
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const lc = page.cookies.find((c) => c.name === 'pw_login')!;
      const web = await g.app.inject({ method: 'POST', url: '/login', remoteAddress: '10.9.9.9', headers: { cookie: `pw_login=${lc.value}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: `username=op&password=op-pass-123&_csrf=${token}` });
      expect(web.statusCode).toBe(429);
      // another client is not affected
      const other = await g.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'op', password: 'op-pass-123' }, remoteAddress: '10.9.9.8' });
      expect(other.statusCode).toBe(200);
    } finally {
      await g.close();
    }
  });
});

describe('tokens', () => {
  it('create shows the value once; list never shows it; the token works until deleted', async () => {
    const c = await call({ method: 'POST', url: '/api/v1/tokens', headers: bearer(f.tokens.op!), payload: { name: 'nms' } });
    expect(c.statusCode).toBe(201);
    const { id, token } = c.json() as { id: number; token: string };
    expect(token).toMatch(/^pwt_[A-Za-z0-9_-]{40,}$/);
    const l = await call({ url: '/api/v1/tokens', headers: bearer(token) });
    expect(l.statusCode).toBe(200);
    expect(l.body).not.toContain(token);
    expect((l.json() as { items: Array<{ name: string }> }).items.map((t) => t.name)).toEqual(['test', 'nms']);
    // stored hashed: the clear value is nowhere in the database
    const rows = f.db.prepare('SELECT token_hash FROM api_tokens').all() as Array<{ token_hash: string }>;
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    // another user cannot delete it
    expect((await call({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: bearer(f.tokens.admin!) })).statusCode).toBe(404);
    expect((await call({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: bearer(f.tokens.op!) })).statusCode).toBe(204);
    expect((await call({ url: '/api/v1/tokens', headers: bearer(token) })).statusCode).toBe(401);
  });
  it('token bodies are validated', async () => {
    const r = await call({ method: 'POST', url: '/api/v1/tokens', headers: bearer(f.tokens.op!), payload: { name: '' } });
    expect(r.statusCode).toBe(400);
    expect(err(r).field).toBe('name');
    expect((await call({ method: 'DELETE', url: '/api/v1/tokens/abc', headers: bearer(f.tokens.op!) })).statusCode).toBe(400);
  });
});

describe('sites', () => {
  it('lists only my scope, with state, paginated', async () => {
    const r = await call({ url: '/api/v1/sites?limit=2&offset=1', headers: bearer(f.tokens.op!) });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { items: Array<{ site: { id: string }; state: { state: string } }>; total: number; limit: number; offset: number };
    expect(body.total).toBe(3);
    expect(body.items.map((i) => i.site.id)).toEqual(['a2', 'a3']);
    expect(body).toMatchObject({ limit: 2, offset: 1 });
    expect(body.items[1]!.state.state).toBe('DEGRADED');
  });

  const filters = [
    { name: 'by commune', q: `commune=${encodeURIComponent('Xã Bình')}`, want: ['b1', 'b2'] },
    { name: 'by group', q: `group=${encodeURIComponent('Huyện Hai')}`, want: ['c1', 'c2'] },
    { name: 'by district (its name before 2025: read as group)', q: `district=${encodeURIComponent('Huyện Hai')}`, want: ['c1', 'c2'] },
    { name: 'by commune key (province + commune)', q: `commune=${encodeURIComponent('Tỉnh Thử/Xã Bình')}`, want: ['b1', 'b2'] },
    { name: 'a commune key of another province', q: `commune=${encodeURIComponent('Tỉnh Khác/Xã Bình')}`, want: [] },
    { name: 'by province', q: `province=${encodeURIComponent('Tỉnh Thử')}&limit=3`, want: ['a1', 'a2', 'a3'] },
    { name: 'by state', q: 'state=DOWN', want: ['a1', 'c1'] },
    { name: 'worst first', q: 'sort=worst&limit=4', want: ['c1', 'a1', 'c2', 'a3'] },
    { name: 'nothing matches', q: 'commune=nowhere', want: [] },
  ];
  it.each(filters)('filter $name', async ({ q, want }) => {
    const r = await call({ url: `/api/v1/sites?${q}`, headers: bearer(f.tokens.admin!) });
    expect(r.statusCode).toBe(200);
    expect((r.json() as { items: Array<{ site: { id: string } }> }).items.map((i) => i.site.id)).toEqual(want);
  });

  const bad = [
    { name: 'unknown state', q: 'state=BROKEN', field: 'state' },
    { name: 'limit 0', q: 'limit=0', field: 'limit' },
    { name: 'limit too big', q: 'limit=501', field: 'limit' },
    { name: 'negative offset', q: 'offset=-1', field: 'offset' },
    { name: 'limit not a number', q: 'limit=ten', field: 'limit' },
    { name: 'unknown parameter', q: 'colour=red', field: 'colour' },
    { name: 'offset that overflows to Infinity', q: 'offset=1e309', field: 'offset' },
    { name: 'limit that overflows to Infinity', q: 'limit=1e309', field: 'limit' },
  ];
  it.each(bad)('400 for $name', async ({ q, field }) => {
    const r = await call({ url: `/api/v1/sites?${q}`, headers: bearer(f.tokens.admin!) });
    expect(r.statusCode).toBe(400);
    expect(err(r)).toMatchObject({ code: 'bad_request', field });
    expect(err(r).message).toContain(field);
  });

  it('detail has state and latest measurements; snmp is reduced to its version', async () => {
    const r = await call({ url: '/api/v1/sites/a2', headers: bearer(f.tokens.op!) });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ site: { id: 'a2', snmp: false }, state: { state: 'UP' }, latest: { rtt_avg_ms: 43.2, wan: { name: 'lte1' } } });
    const a1 = (await call({ url: '/api/v1/sites/a1', headers: bearer(f.tokens.op!) })).json() as { site: { snmp: unknown } };
    expect(a1.site.snmp).toEqual({ version: '2c' });
    const b1 = (await call({ url: '/api/v1/sites/b1', headers: bearer(f.tokens.admin!) })).json() as { site: { snmp: unknown } };
    expect(b1.site.snmp).toEqual({ version: '3' });
  });

  it('unknown site is 404 naming the id', async () => {
    const r = await call({ url: '/api/v1/sites/zz', headers: bearer(f.tokens.admin!) });
    expect(r.statusCode).toBe(404);
    expect(err(r)).toEqual({ code: 'not_found', message: 'site zz not found', field: 'id' });
  });
});

describe('site history', () => {
  it('defaults to the last 24 h and returns the series', async () => {
    const r = await call({ url: '/api/v1/sites/a2/history?what=ping', headers: bearer(f.tokens.op!) });
    expect(r.statusCode).toBe(200);
    const s = r.json() as { what: string; from: number; to: number; points: unknown[] };
    expect(s).toMatchObject({ what: 'ping', from: NOW - 86_400_000, to: NOW });
    expect(s.points.length).toBeGreaterThan(100);
  });
  it('accepts ISO and epoch ms bounds', async () => {
    const r = await call({ url: `/api/v1/sites/a2/history?what=bandwidth&from=2026-11-19T00:00:00Z&to=${NOW}`, headers: bearer(f.tokens.op!) });
    expect(r.json()).toMatchObject({ what: 'bandwidth', from: Date.UTC(2026, 10, 19), to: NOW });
  });
  const bad = [
    { name: 'missing what', q: '', field: 'what' },
    { name: 'unknown what', q: 'what=cpu', field: 'what' },
    { name: 'malformed from', q: 'what=ping&from=yesterday', field: 'from' },
    { name: 'to before from', q: `what=ping&from=${NOW}&to=${NOW - 1000}`, field: 'to' },
    { name: 'span over 400 days', q: `what=state&from=2020-01-01T00:00:00Z&to=${NOW}`, field: 'from' },
  ];
  it.each(bad)('400 for $name', async ({ q, field }) => {
    const r = await call({ url: `/api/v1/sites/a2/history?${q}`, headers: bearer(f.tokens.op!) });
    expect(r.statusCode).toBe(400);
    expect(err(r).field).toBe(field);
  });
  it('store down → 503 unavailable (no stack, no address)', async () => {
    f.history.down = true;
    const r = await call({ url: '/api/v1/sites/a2/history?what=ping', headers: bearer(f.tokens.op!) });
    expect(r.statusCode).toBe(503);
    expect(err(r).code).toBe('unavailable');
    expect(r.body).not.toContain('ECONNREFUSED');
  });
});

describe('incidents', () => {
  it('lists open incidents in my scope; status=all puts open first', async () => {
    const open = (await call({ url: '/api/v1/incidents', headers: bearer(f.tokens.admin!) })).json() as { items: Array<{ id: number }>; total: number };
    expect(open.items.map((i) => i.id).sort()).toEqual([1, 2, 4]);
    const all = (await call({ url: '/api/v1/incidents?status=all', headers: bearer(f.tokens.reviewer!) })).json() as { items: Array<{ id: number; resolved_at: number | null }> };
    expect(all.items.map((i) => i.id)).toEqual([1, 3]);
    const paged = (await call({ url: '/api/v1/incidents?status=all&limit=1&offset=1', headers: bearer(f.tokens.admin!) })).json() as { items: unknown[]; total: number };
    expect(paged).toMatchObject({ total: 4, limit: 1, offset: 1 });
    expect(paged.items).toHaveLength(1);
    const bad = await call({ url: '/api/v1/incidents?status=closed', headers: bearer(f.tokens.admin!) });
    expect(err(bad).field).toBe('status');
  });

  it('commune-level incidents (no site) are scoped by their commune', async () => {
    expect((await call({ url: '/api/v1/incidents/4', headers: bearer(f.tokens.op2!) })).statusCode).toBe(200);
    expect((await call({ url: '/api/v1/incidents/4', headers: bearer(f.tokens.op!) })).statusCode).toBe(404);
  });

  it('detail carries the runbook in my language and the recorded steps', async () => {
    const r = await call({ url: '/api/v1/incidents/1?lang=vi', headers: bearer(f.tokens.trainee!) });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ incident: { id: 1, kind: 'site-down' }, steps: [], runbook: { lang: 'vi', title: 'Điểm Wi-Fi mất kết nối (site-down)' } });
    const en = (await call({ url: '/api/v1/incidents/1?lang=en', headers: bearer(f.tokens.trainee!) })).json() as { runbook: { steps: string[]; sections: Array<{ heading: string; body: string }>; after: Array<{ heading: string }> } };
    expect(en.runbook.steps).toHaveLength(10);
    // placeholders filled from the incident's site and contacts: the key holder is the site's own contact
    expect(en.runbook.steps[0]).toMatch(/^Call the key holder at the site Chị Lan: 0912 345 678\./);
    expect(en.runbook.sections[0]!.body).toContain('The router at Nhà văn hóa thôn 1 has answered nothing');
    // the commune's contact is never the site's own: not declared here, and said so
    const escalate = en.runbook.after.find((a) => a.heading === 'When to escalate') as unknown as { body: string };
    expect(escalate.body).toContain('call the commune contact (not declared)');
    expect(escalate.body).not.toContain('Chị Lan');
    expect(en.runbook.after[0]!.heading).toBe('When to escalate');
    expect(JSON.stringify(en.runbook)).not.toContain('{{site}}');
    expect((await call({ url: '/api/v1/incidents/x', headers: bearer(f.tokens.admin!) })).statusCode).toBe(400);
    expect((await call({ url: '/api/v1/incidents/1e309', headers: bearer(f.tokens.admin!) })).statusCode).toBe(400);
    expect((await call({ url: '/api/v1/incidents/99999999999', headers: bearer(f.tokens.admin!) })).statusCode).toBe(400);
    expect((await call({ url: '/api/v1/incidents/999', headers: bearer(f.tokens.admin!) })).statusCode).toBe(404);
    expect(err(await call({ url: '/api/v1/incidents/1?lang=fr', headers: bearer(f.tokens.admin!) })).field).toBe('lang');
  });

  it('acknowledge records who, when and the note; twice is 409; resolved: allowed within the grace period, then 409; audited', async () => {
    const r = await call({ method: 'POST', url: '/api/v1/incidents/1/ack', headers: bearer(f.tokens.trainee!), payload: { note: 'đang đến' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ id: 1, acknowledged_by: 'trainee', ack_note: 'đang đến', acknowledged_at: NOW });
    const again = await call({ method: 'POST', url: '/api/v1/incidents/1/ack', headers: bearer(f.tokens.op!) });
    expect(again.statusCode).toBe(409);
    expect(err(again).message).toContain('trainee');
    // incident 3 recovered 28 h ago: the trainee arriving after the power came back can still acknowledge it, for 7 days
    f.clock.set(NOW - 28 * 3_600_000 + 7 * 86_400_000 + 1);
    const late = await call({ method: 'POST', url: '/api/v1/incidents/3/ack', headers: bearer(f.tokens.admin!) });
    expect(late.statusCode).toBe(409);
    expect(err(late).message).toContain('can no longer be changed');
    f.clock.set(NOW);
    expect((await call({ method: 'POST', url: '/api/v1/incidents/3/ack', headers: bearer(f.tokens.admin!) })).statusCode).toBe(200);
    const bad = await call({ method: 'POST', url: '/api/v1/incidents/2/ack', headers: bearer(f.tokens.admin!), payload: { note: 5 } });
    expect(bad.statusCode).toBe(400);
    expect(err(bad).field).toBe('note');
    const audit = f.auth.auditLog(5).items.filter((a) => a.action === 'incident.acknowledge').slice(0, 2);
    expect(audit.map((a) => [a.user, a.target])).toEqual([['admin', 'incident:3'], ['trainee', 'incident:1']]);
    expect(audit[1]).toMatchObject({ user: 'trainee', target: 'incident:1', detail: 'đang đến', at: NOW });
  });

  it('runbook steps are recorded one by one (done, undone) with who/when/note', async () => {
    const h = bearer(f.tokens.trainee!);
    await call({ method: 'POST', url: '/api/v1/incidents/1/steps', headers: h, payload: { step: 1, done: true, note: 'đèn nguồn tắt' } });
    f.clock.advance(60_000);
    await call({ method: 'POST', url: '/api/v1/incidents/1/steps', headers: h, payload: { step: 2, done: true } });
    const r = await call({ method: 'POST', url: '/api/v1/incidents/1/steps', headers: h, payload: { step: 1, done: false } });
    f.clock.set(NOW);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ steps: [{ step: 1, done: false, by: 'trainee', at: NOW + 60_000, note: null }, { step: 2, done: true, by: 'trainee', at: NOW + 60_000, note: null }] });
    const detail = (await call({ url: '/api/v1/incidents/1', headers: h })).json() as { history: Array<{ step: number; done: boolean; note: string | null }> };
    expect(detail.history.map((x) => [x.step, x.done, x.note])).toEqual([[1, true, 'đèn nguồn tắt'], [2, true, null], [1, false, null]]);
    const actions = f.auth.auditLog(3).items.map((a) => `${a.action} ${a.detail}`);
    expect(actions).toEqual(['runbook.step_undone step 1', 'runbook.step_done step 2', 'runbook.step_done step 1: đèn nguồn tắt']);
  });

  it('an outcome is written on an incident (also resolved, within the grace period), audited, and shown in its detail', async () => {
    const h = bearer(f.tokens.admin!);
    const r = await call({ method: 'POST', url: '/api/v1/incidents/3/outcome', headers: h, payload: { cause_found: 'Nhiễu sóng', actions: 'Dời ăng-ten', parts: 'Ăng-ten 4G' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ cause_found: 'Nhiễu sóng', actions: 'Dời ăng-ten', parts: 'Ăng-ten 4G', by: 'admin', via: 'token', at: NOW });
    const d = (await call({ url: '/api/v1/incidents/3', headers: h })).json() as { outcome: unknown; editable_until: number };
    expect(d.outcome).toMatchObject({ cause_found: 'Nhiễu sóng', by: 'admin' });
    expect(d.editable_until).toBe(NOW - 28 * 3_600_000 + 7 * 86_400_000);
    expect(f.auth.auditLog(1).items[0]).toMatchObject({ user: 'admin', action: 'incident.outcome', target: 'incident:3', detail: 'cause found: Nhiễu sóng; done: Dời ăng-ten; parts: Ăng-ten 4G' });
    expect(err(await call({ method: 'POST', url: '/api/v1/incidents/3/outcome', headers: h, payload: { cause_found: 'x' } })).field).toBe('actions');
    expect(err(await call({ method: 'POST', url: '/api/v1/incidents/3/outcome', headers: h, payload: { cause_found: ' ', actions: 'y' } })).field).toBe('cause_found');
    expect((await call({ method: 'POST', url: '/api/v1/incidents/3/outcome', headers: bearer(f.tokens.reviewer!), payload: { cause_found: 'x', actions: 'y' } })).statusCode).toBe(403);
    expect((await call({ method: 'POST', url: '/api/v1/incidents/2/outcome', headers: bearer(f.tokens.trainee!), payload: { cause_found: 'x', actions: 'y' } })).statusCode).toBe(404);
  });

  const badSteps = [
    { name: 'step beyond the runbook', payload: { step: 11, done: true }, field: 'step' },
    { name: 'step 0', payload: { step: 0, done: true }, field: 'step' },
    { name: 'done missing', payload: { step: 1 }, field: 'done' },
    { name: 'done not boolean', payload: { step: 1, done: 'yes' }, field: 'done' },
    { name: 'unknown field', payload: { step: 1, done: true, by: 'someone-else' }, field: 'by' },
  ];
  it.each(badSteps)('400 for $name', async ({ payload, field }) => {
    const r = await call({ method: 'POST', url: '/api/v1/incidents/1/steps', headers: bearer(f.tokens.op!), payload });
    expect(r.statusCode).toBe(400);
    expect(err(r).field).toBe(field);
  });
});

describe('maintenance', () => {
  it('lists windows touching my scope; admin sees all', async () => {
    const op = (await call({ url: '/api/v1/maintenance', headers: bearer(f.tokens.op!) })).json() as { items: Array<{ id: number; can_delete: boolean }> };
    expect(op.items.map((w) => [w.id, w.can_delete])).toEqual([[1, true]]);
    const tr = (await call({ url: '/api/v1/maintenance', headers: bearer(f.tokens.trainee!) })).json() as { items: Array<{ id: number; can_delete: boolean }> };
    expect(tr.items.map((w) => [w.id, w.can_delete])).toEqual([[1, false]]);
    const ad = (await call({ url: '/api/v1/maintenance', headers: bearer(f.tokens.admin!) })).json() as { items: Array<{ id: number }> };
    expect(ad.items.map((w) => w.id)).toEqual([1, 2]);
  });

  it('create and delete are audited', async () => {
    const c = await call({ method: 'POST', url: '/api/v1/maintenance', headers: bearer(f.tokens.op!), payload: { sites: ['a2'], start: '2026-11-21T01:00:00Z', end: '2026-11-21T03:00:00Z', reason: 'thay bộ định tuyến' } });
    expect(c.statusCode).toBe(201);
    const w = c.json() as { id: number; sites: string[]; start: number; created_by: string };
    expect(w).toMatchObject({ sites: ['a2'], start: Date.UTC(2026, 10, 21, 1), created_by: 'op' });
    expect((await call({ method: 'DELETE', url: `/api/v1/maintenance/${w.id}`, headers: bearer(f.tokens.op!) })).statusCode).toBe(204);
    const log = f.auth.auditLog(2).items.map((a) => [a.user, a.action, a.target]);
    expect(log).toEqual([['op', 'maintenance.delete', `maintenance:${w.id}`], ['op', 'maintenance.create', `maintenance:${w.id}`]]);
  });

  const bad = [
    { name: 'no target', payload: { start: '2026-11-21T01:00:00Z', end: '2026-11-21T03:00:00Z', reason: 'x' }, status: 400, field: 'sites' },
    { name: 'end before start', payload: { sites: ['a2'], start: '2026-11-21T03:00:00Z', end: '2026-11-21T01:00:00Z', reason: 'x' }, status: 400, field: 'end' },
    { name: 'malformed start', payload: { sites: ['a2'], start: 'tomorrow', end: '2026-11-21T01:00:00Z', reason: 'x' }, status: 400, field: 'start' },
    { name: 'missing reason', payload: { sites: ['a2'], start: '2026-11-21T01:00:00Z', end: '2026-11-21T03:00:00Z' }, status: 400, field: 'reason' },
    { name: 'unknown field', payload: { sites: ['a2'], start: '2026-11-21T01:00:00Z', end: '2026-11-21T03:00:00Z', reason: 'x', cron: '* * * * *' }, status: 400, field: 'cron' },
    { name: 'sites not an array', payload: { sites: 'a2', start: '2026-11-21T01:00:00Z', end: '2026-11-21T03:00:00Z', reason: 'x' }, status: 400, field: 'sites' },
    { name: 'unknown site', payload: { sites: ['zz'], start: '2026-11-21T01:00:00Z', end: '2026-11-21T03:00:00Z', reason: 'x' }, status: 404, field: 'sites' },
    { name: 'unknown commune', payload: { communes: ['Xã Không'], start: '2026-11-21T01:00:00Z', end: '2026-11-21T03:00:00Z', reason: 'x' }, status: 404, field: 'communes' },
    { name: 'over a year', payload: { sites: ['a2'], start: '2026-01-01T00:00:00Z', end: '2027-06-01T00:00:00Z', reason: 'x' }, status: 400, field: 'from' },
  ];
  it.each(bad)('$status for $name', async ({ payload, status, field }) => {
    const r = await call({ method: 'POST', url: '/api/v1/maintenance', headers: bearer(f.tokens.op!), payload });
    expect(r.statusCode).toBe(status);
    expect(err(r).field).toBe(field);
  });

  it('deleting an unknown window is 404; an id that is not a number is 400', async () => {
    expect((await call({ method: 'DELETE', url: '/api/v1/maintenance/999', headers: bearer(f.tokens.admin!) })).statusCode).toBe(404);
    expect(err(await call({ method: 'DELETE', url: '/api/v1/maintenance/one', headers: bearer(f.tokens.admin!) })).field).toBe('id');
  });
});

describe('runbooks', () => {
  it('lists and gets by lang/kind', async () => {
    const l = (await call({ url: '/api/v1/runbooks', headers: bearer(f.tokens.reviewer!) })).json() as { items: Array<{ lang: string; kind: string; steps: number }> };
    expect(l.items).toContainEqual({ lang: 'vi', kind: 'site-down', title: 'Điểm Wi-Fi mất kết nối (site-down)', steps: 10 });
    expect(l.items).toHaveLength(ALERT_KINDS.length * 2); // every kind, vi and en
    const g = await call({ url: '/api/v1/runbooks/en/site-down', headers: bearer(f.tokens.reviewer!) });
    expect(g.json()).toMatchObject({ kind: 'site-down', lang: 'en', title: 'Wi-Fi point down (site-down)' });
  });
  it('404 for a missing runbook, 400 for a bad language or kind', async () => {
    expect(err(await call({ url: '/api/v1/runbooks/vi/no-such-kind', headers: bearer(f.tokens.op!) }))).toMatchObject({ code: 'not_found' });
    expect(err(await call({ url: '/api/v1/runbooks/fr/site-down', headers: bearer(f.tokens.op!) })).field).toBe('lang');
    expect(err(await call({ url: '/api/v1/runbooks/vi/..%2Fetc', headers: bearer(f.tokens.op!) })).field).toBe('kind');
    expect((await call('/api/v1/runbooks')).statusCode).toBe(401);
  });
});

describe('coverage', () => {
  it('passes only the sites in my scope (and the filters) to the report; defaults to 30 days', async () => {
    f.coverageCalls.length = 0;
    const r = await call({ url: '/api/v1/reports/coverage?group_by=commune', headers: bearer(f.tokens.reviewer!) });
    expect(r.statusCode).toBe(200);
    expect(f.coverageCalls[0]).toEqual({ from: NOW - 30 * 86_400_000, to: NOW, group_by: 'commune', sites: ['a1', 'a2', 'a3', 'b1', 'b2'] });
    expect((r.json() as { rows: Array<{ name: string }> }).rows.map((x) => x.name)).toEqual([CA, 'Xã Bình']);
    await call({ url: `/api/v1/reports/coverage?group=${encodeURIComponent(D1)}&commune=${encodeURIComponent('Xã Bình')}&from=2026-11-01T00:00:00Z&to=2026-11-15T00:00:00Z`, headers: bearer(f.tokens.admin!) });
    expect(f.coverageCalls[1]).toMatchObject({ from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 15), group_by: 'site', sites: ['b1', 'b2'] });
  });
  it('400 for bad parameters, 404 for an area with no site in scope, 503 when the store is down', async () => {
    expect(err(await call({ url: '/api/v1/reports/coverage?group_by=village', headers: bearer(f.tokens.admin!) })).field).toBe('group_by');
    expect(err(await call({ url: '/api/v1/reports/coverage?from=2026-11-10T00:00:00Z&to=2026-11-01T00:00:00Z', headers: bearer(f.tokens.admin!) })).field).toBe('to');
    expect(err(await call({ url: '/api/v1/reports/coverage?from=x', headers: bearer(f.tokens.admin!) })).field).toBe('from');
    const nf = await call({ url: '/api/v1/reports/coverage?province=Nowhere', headers: bearer(f.tokens.admin!) });
    expect(nf.statusCode).toBe(404);
    expect(err(nf).field).toBe('province');
    f.history.down = true;
    expect((await call({ url: '/api/v1/reports/coverage', headers: bearer(f.tokens.admin!) })).statusCode).toBe(503);
  });
});

describe('inventory reload', () => {
  it('reloads, answers the site count, and is audited; an invalid inventory is 400 listing the problems', async () => {
    const next = fleet();
    next.sites = next.sites.slice(0, 4);
    f.inventory.next = next;
    const r = await call({ method: 'POST', url: '/api/v1/admin/inventory/reload', headers: bearer(f.tokens.admin!) });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ sites: 4 });
    expect((await call({ url: '/api/v1/sites/c1', headers: bearer(f.tokens.admin!) })).statusCode).toBe(404);
    f.inventory.next = new InputError('2 problems', ['sites.yaml:4:5: /sites/0/id must match pattern', 'sites.yaml:9:3: /sites/1 unknown key "comunne"']);
    const bad = await call({ method: 'POST', url: '/api/v1/admin/inventory/reload', headers: bearer(f.tokens.admin!) });
    expect(bad.statusCode).toBe(400);
    expect(err(bad).code).toBe('invalid_inventory');
    expect(err(bad).message).toContain('sites.yaml:9:3: /sites/1 unknown key "comunne"');
    const log = f.auth.auditLog(2).items.map((a) => a.action);
    expect(log).toEqual(['inventory.reload_failed', 'inventory.reload']);
    f.inventory.current = fleet();
    f.inventory.next = fleet();
  });
  it('the audit log is admin-only and paginated', async () => {
    const r = await call({ url: '/api/v1/admin/audit?limit=1', headers: bearer(f.tokens.admin!) });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ limit: 1, offset: 0 });
    expect((await call({ url: '/api/v1/admin/audit?limit=1', headers: bearer(f.tokens.reviewer!) })).statusCode).toBe(403);
  });
});

describe('limits', () => {
  it('an oversized body is refused with 413 in the error shape', async () => {
    const r = await call({ method: 'POST', url: '/api/v1/incidents/1/ack', headers: { ...bearer(f.tokens.op!), 'content-type': 'application/json' }, payload: JSON.stringify({ note: 'x'.repeat(5000) }) });
    expect(r.statusCode).toBe(413);
    expect(err(r).code).toBe('payload_too_large');
  });
  it('malformed JSON is a 400 in the error shape', async () => {
    const r = await call({ method: 'POST', url: '/api/v1/incidents/1/ack', headers: { ...bearer(f.tokens.op!), 'content-type': 'application/json' }, payload: '{"note":' });
    expect(r.statusCode).toBe(400);
    expect(err(r).code).toBe('bad_request');
  });
});

describe('secrets', () => {
  it('no response body or header carried a community, a v3 key, a password hash or a token of another call', async () => {
    // make sure the secret-bearing sites were actually served, in lists and details
    for (const u of ['admin', 'op', 'reviewer', 'op2']) {
      await call({ url: '/api/v1/sites?limit=500', headers: bearer(f.tokens[u]!) });
      for (const id of ['a1', 'b1', 'c1']) await call({ url: `/api/v1/sites/${id}`, headers: bearer(f.tokens[u]!) });
    }
    expect(seen.length).toBeGreaterThan(100);
    const all = seen.join('\n');
    expect(all).toContain('"version":"2c"');
    for (const s of SECRETS) expect(all).not.toContain(s);
    expect(all).not.toContain('community');
    expect(all).not.toMatch(/scrypt\$/);
    expect(all).not.toContain('password_hash');
    expect(all).not.toContain('token_hash');
    for (const t of Object.values(f.tokens)) expect(all).not.toContain(t);
  });
});
