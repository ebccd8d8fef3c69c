/**
 * Who is calling: an API token (`Authorization: Bearer pwt_...`) or the signed session cookie
 * of the web UI. Runs on every request and only RECORDS the principal; routes decide with
 * `requireUser` (API: 401) or the web layer (redirect to the login page).
 * Cookie-authenticated unsafe requests must carry the session's CSRF token
 * (`x-csrf-token` header for the JSON API, `_csrf` form field for the web forms).
 */
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseDuration as durationMs } from '../../core/duration.js';
import { ApiError, unauthorized } from '../errors.js';
import { Type, type Static } from '@sinclair/typebox';
import { LANGS } from '../../config/schema.js';
import { Nullable, StringEnum } from '../../core/schema.js';
import { ROLES, ScopeEntry, type Principal } from '../auth/scope.js';
import type { AuthStore } from '../auth/store.js';

export const SESSION_COOKIE = 'pw_session';
export const LOGIN_CSRF_COOKIE = 'pw_login';
export const LANG_COOKIE = 'pw_lang';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The web session (cookie auth only). */
    pwSession: { id: string; csrf: string } | null;
    /** An Authorization header was given but is not a valid token. */
    badCredentials: boolean;
  }
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export function registerAuth(app: FastifyInstance, store: AuthStore): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('pwSession', null);
  app.decorateRequest('badCredentials', false);
  app.addHook('onRequest', async (req) => {
    const h = req.headers.authorization;
    if (h !== undefined) {
      const m = /^Bearer ([A-Za-z0-9_-]{10,200})$/.exec(h.trim());
      const user = m ? store.userForToken(m[1]!) : null;
      if (user) req.principal = user;
      else req.badCredentials = true;
      return;
    }
    const raw = req.cookies[SESSION_COOKIE];
    if (!raw) return;
    const un = req.unsignCookie(raw);
    if (!un.valid || !un.value) return;
    const s = store.getSession(un.value);
    if (s) {
      req.principal = s.user;
      req.pwSession = { id: un.value, csrf: s.csrf };
    }
  });
}

/**
 * The CSRF token as a page carries it: a fresh random pad and token XOR pad, so compressed pages
 * never repeat the secret byte for byte (BREACH). `unmaskCsrf` reverses it.
 */
export function maskCsrf(token: string): string {
  const t = Buffer.from(token, 'utf8');
  const pad = crypto.randomBytes(t.length);
  const x = Buffer.alloc(t.length);
  for (let i = 0; i < t.length; i++) x[i] = t[i]! ^ pad[i]!;
  return `m${Buffer.concat([pad, x]).toString('base64url')}`;
}

export function unmaskCsrf(value: string): string {
  if (!value.startsWith('m')) return value;
  const b = Buffer.from(value.slice(1), 'base64url');
  if (b.length % 2) return '';
  const n = b.length / 2;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = b[i]! ^ b[n + i]!;
  return out.toString('utf8');
}

/**
 * Is `given` the session's CSRF token, as sent plain (API clients) or masked (pages)? Both forms are
 * tried: a plain token is random base64url and starts with the mask's `m` once in 64 sessions, and
 * read as masked it would be refused.
 */
export function csrfMatches(given: string, token: string): boolean {
  return safeEqual(given, token) || safeEqual(unmaskCsrf(given), token);
}

/** The caller, or 401. For cookie sessions, unsafe methods also need the CSRF token (plain or masked). */
export function requireUser(req: FastifyRequest, csrfFromBody?: string): Principal {
  if (req.badCredentials || !req.principal) throw unauthorized();
  if (req.pwSession && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
    const given = csrfFromBody ?? (req.headers['x-csrf-token'] as string | undefined) ?? '';
    if (!csrfMatches(given, req.pwSession.csrf)) throw new ApiError(403, 'csrf', 'missing or wrong CSRF token');
  }
  return req.principal;
}

export function sessionCookieOptions(publicUrl: string, ttl: string) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: publicUrl.startsWith('https:'),
    signed: true,
    maxAge: Math.floor(durationMs(ttl) / 1000),
  };
}

export function startSession(reply: FastifyReply, store: AuthStore, user: Principal, publicUrl: string, ttl: string): { csrf: string } {
  const { id, csrf } = store.createSession(user.id, durationMs(ttl));
  reply.setCookie(SESSION_COOKIE, id, sessionCookieOptions(publicUrl, ttl));
  return { csrf };
}

export function endSession(req: FastifyRequest, reply: FastifyReply, store: AuthStore): void {
  if (req.pwSession) store.deleteSession(req.pwSession.id);
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/** A user as the API shows it: no id, no hash. */
export const PublicUser = Type.Object({
  name: Type.String(),
  role: StringEnum(ROLES),
  scope: Type.Array(ScopeEntry),
  lang: Nullable(StringEnum(LANGS)),
});
export type PublicUser = Static<typeof PublicUser>;

export function publicUser(p: Principal): PublicUser {
  return { name: p.name, role: p.role, scope: p.scope, lang: p.lang };
}
