/**
 * THE role × endpoint × inside/outside-scope matrix, one table. Scopes (see fixtures.ts):
 * op and trainee: commune Xã An; reviewer: group Huyện Một (a former district); admin: everything.
 * "in" targets are in Xã An (site a1, incident 1, window 1); "out" targets are in Huyện Hai
 * (site c1, incident 2, window 2), outside every non-admin scope here.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, CA, CC, makeFixture, type Fixture } from './fixtures.js';

type Where = 'in' | 'out';
interface Endpoint {
  name: string;
  req: (w: Where) => { method: 'GET' | 'POST' | 'DELETE'; url: string; payload?: object };
}

const target = { in: { site: 'a1', incident: 1, window: 1, commune: CA }, out: { site: 'c1', incident: 2, window: 2, commune: CC } };

const ENDPOINTS: Record<string, Endpoint> = {
  siteDetail: { name: 'GET site', req: (w) => ({ method: 'GET', url: `/api/v1/sites/${target[w].site}` }) },
  siteHistory: { name: 'GET site history', req: (w) => ({ method: 'GET', url: `/api/v1/sites/${target[w].site}/history?what=ping` }) },
  incident: { name: 'GET incident', req: (w) => ({ method: 'GET', url: `/api/v1/incidents/${target[w].incident}` }) },
  ack: { name: 'POST ack', req: (w) => ({ method: 'POST', url: `/api/v1/incidents/${target[w].incident}/ack`, payload: { note: 'on my way' } }) },
  step: { name: 'POST runbook step', req: (w) => ({ method: 'POST', url: `/api/v1/incidents/${target[w].incident}/steps`, payload: { step: 1, done: true } }) },
  createWindow: {
    name: 'POST maintenance',
    req: (w) => ({ method: 'POST', url: '/api/v1/maintenance', payload: { communes: [target[w].commune], start: '2026-11-21T00:00:00Z', end: '2026-11-21T04:00:00Z', reason: 'test' } }),
  },
  deleteWindow: { name: 'DELETE maintenance', req: (w) => ({ method: 'DELETE', url: `/api/v1/maintenance/${target[w].window}` }) },
  coverage: { name: 'GET coverage', req: (w) => ({ method: 'GET', url: `/api/v1/reports/coverage?commune=${encodeURIComponent(target[w].commune)}` }) },
  reload: { name: 'POST inventory reload', req: () => ({ method: 'POST', url: '/api/v1/admin/inventory/reload' }) },
  audit: { name: 'GET audit log', req: () => ({ method: 'GET', url: '/api/v1/admin/audit' }) },
};

// expected status: [admin, operator, trainee, reviewer] for in-scope, then out-of-scope
const MATRIX: Array<[keyof typeof ENDPOINTS, Where, number, number, number, number]> = [
  ['siteDetail', 'in', 200, 200, 200, 200],
  ['siteDetail', 'out', 200, 404, 404, 404],
  ['siteHistory', 'in', 200, 200, 200, 200],
  ['siteHistory', 'out', 200, 404, 404, 404],
  ['incident', 'in', 200, 200, 200, 200],
  ['incident', 'out', 200, 404, 404, 404],
  ['ack', 'in', 200, 200, 200, 403],
  ['ack', 'out', 200, 404, 404, 404],
  ['step', 'in', 200, 200, 200, 403],
  ['step', 'out', 200, 404, 404, 404],
  ['createWindow', 'in', 201, 201, 403, 403],
  ['createWindow', 'out', 201, 404, 404, 404],
  ['deleteWindow', 'in', 204, 204, 403, 403],
  ['deleteWindow', 'out', 204, 404, 404, 404],
  ['coverage', 'in', 200, 200, 200, 200],
  ['coverage', 'out', 200, 404, 404, 404],
  ['reload', 'in', 200, 403, 403, 403],
  ['audit', 'in', 200, 403, 403, 403],
];
const ROLES = ['admin', 'op', 'trainee', 'reviewer'] as const;

const cases = MATRIX.flatMap(([ep, where, ...codes]) =>
  ROLES.map((user, i) => ({ label: `${user} ${ENDPOINTS[ep]!.name} ${where} scope → ${codes[i]}`, ep, where, user, want: codes[i]! })),
);

describe('role × endpoint × scope', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await makeFixture();
  });
  afterAll(async () => {
    await f.close();
  });
  beforeEach(() => f.incidents.reset());

  it.each(cases)('$label', async ({ ep, where, user, want }) => {
    const r = ENDPOINTS[ep]!.req(where);
    const res = await f.app.inject({ method: r.method, url: r.url, payload: r.payload, headers: bearer(f.tokens[user]!) });
    expect(res.statusCode, res.body).toBe(want);
    if (want >= 400) {
      const body = res.json() as { error: { code: string; message: string } };
      expect(body.error.code).toBe(want === 404 ? 'not_found' : 'forbidden');
      expect(Object.keys(body)).toEqual(['error']);
    }
  });

  it('an out-of-scope id answers exactly like an id that does not exist', async () => {
    const out = await f.app.inject({ url: '/api/v1/incidents/2', headers: bearer(f.tokens.op!) });
    const none = await f.app.inject({ url: '/api/v1/incidents/999', headers: bearer(f.tokens.op!) });
    expect(out.statusCode).toBe(404);
    expect(out.body.replace('2', 'N')).toBe(none.body.replace('999', 'N'));
  });

  it('the reviewer of Huyện Một reaches a site in another commune of its group, not the commune of op', async () => {
    const b = await f.app.inject({ url: '/api/v1/sites/b1', headers: bearer(f.tokens.reviewer!) });
    expect(b.statusCode).toBe(200);
    const o = await f.app.inject({ url: '/api/v1/sites/b1', headers: bearer(f.tokens.op!) });
    expect(o.statusCode).toBe(404);
  });
});
