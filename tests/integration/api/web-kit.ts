/**
 * What the web tests do as a browser would, through app.inject(): post a form, read a hidden
 * field, sign in through the login form, and mint an incident's signed link. One copy for the
 * web-links and web-form-errors tests (the fixture is theirs: tests/integration/api/fixtures.ts).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { linkKey, signIncidentLink } from '../../../src/alerting/links.js';
import { NOW, type Fixture } from './fixtures.js';

const DAY = 86_400_000;

/** A urlencoded form post; an array value repeats its field (ticked checkboxes). */
export async function postForm(app: FastifyInstance, url: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  return app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: body.toString() });
}

/** The value of a hidden input (the CSRF token), or ''. */
export const hidden = (body: string, name: string): string => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1] ?? '';

/** Sign in through the login form with its CSRF cookie; the session cookie and the board's CSRF token. */
export async function webLogin(app: FastifyInstance, name: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const page = await app.inject({ url: '/login' });
  const lc = `pw_login=${page.cookies.find((c) => c.name === 'pw_login')!.value}`;
  const res = await postForm(app, '/login', { username: name, password, _csrf: hidden(page.body, '_csrf'), next: '/board' }, { cookie: lc });
  const cookie = `pw_session=${res.cookies.find((c) => c.name === 'pw_session')!.value}`;
  const board = await app.inject({ url: '/board', headers: { cookie } });
  return { cookie, csrf: hidden(board.body, '_csrf') };
}

/** The signed link token of one of the fixture's incidents (the service's secret unless given). */
export function incidentToken(f: Fixture, id: number, expiresAt = NOW + 7 * DAY, secret = f.deps.sessionSecret): string {
  const i = f.incidents.items.find((x) => x.id === id)!;
  return signIncidentLink(linkKey(secret), { id, opened_at: i.opened_at }, expiresAt);
}
