/**
 * The JSON API under /api/v1. Every route has a TypeBox schema for its input (unknown fields → 400)
 * and for each answer (declared by the module that builds the data; serialized through it), and goes
 * through the Service (scope → 404, role → 403). Auth: Bearer token or session cookie + x-csrf-token.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import { SITE_STATES } from '../../store/schema.js';
import { HISTORY_KINDS } from '../../store/reader.js';
import { LANGS } from '../../config/schema.js';
import { StringEnum as lit } from '../../core/schema.js';
import { Incident, IncidentOutcome, RunbookStepRecord } from '../../alerting/incidents.js';
import { MaintenanceWindow } from '../../alerting/maintenance.js';
import { ErrorBody, badRequest, unauthorized, notFound } from '../errors.js';
import { COVERAGE_GROUPS } from '../deps.js';
import { CoverageReport, RunbookView, Series } from '../adapters.js';
import { TokenInfo } from '../auth/store.js';
import { AuditPage, IncidentDetail, MaintenanceItem, Page, ReloadResult, RunbookSummary, SiteDetail, SiteStatus } from '../service.js';
import { PublicUser, endSession, publicUser, requireUser, startSession } from '../plugins/auth.js';

const closed = <T extends Record<string, TSchema>>(props: T) => Type.Object(props, { additionalProperties: false });

const Paging = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  // Bounded: `offset=1e309` coerces to Infinity, which `integer` alone lets through.
  offset: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 }),
};
const Time = (description: string) => Type.String({ minLength: 1, maxLength: 40, description: `${description}: ISO 8601 (2026-11-01T00:00:00Z) or epoch ms` });
const IdParam = closed({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));
/** `group` filter; `district` is its name from before the 2025 reform, still accepted. */
const GroupParam = {
  group: Type.Optional(Type.String({ maxLength: 200, description: 'the optional group between province and commune (or Province/Group)' })),
  district: Type.Optional(Type.String({ maxLength: 200, deprecated: true, description: 'read as group' })),
};
function withGroup<Q extends { group?: string; district?: string }>(q: Q): Omit<Q, 'district'> {
  const { district, ...rest } = q;
  return rest.group === undefined && district !== undefined ? { ...rest, group: district } : rest;
}


/** ISO 8601 or epoch ms → epoch ms; 400 naming the field otherwise. */
export function parseTime(value: string | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  const t = /^[0-9]{1,15}$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(t)) throw badRequest(`${field} is not a time: use ISO 8601 or epoch ms`, field);
  return t;
}

export const apiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { svc, auth, deps } = app.pw;
  const now = () => deps.clock.now();
  const s = deps.settings;

  // ---------------------------------------------------------------- auth
  app.post('/auth/login', {
    preHandler: app.pw.loginLimit,
    schema: {
      tags: ['auth'], security: [], summary: 'Log in; sets the session cookie and returns the CSRF token (auth.login_attempts_per_minute per client, shared with the web form)',
      body: closed({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }),
      response: { 200: Type.Object({ user: PublicUser, csrf_token: Type.String() }), ...errors(400, 401, 429) },
    },
  }, async (req, reply) => {
    const user = await auth.checkLogin(req.body.username, req.body.password);
    if (!user) {
      req.log.info({ user: req.body.username, ip: req.ip }, 'login failed');
      throw unauthorized();
    }
    const { csrf } = startSession(reply, auth, user, s.api.public_url, s.auth.session_ttl);
    return { user: publicUser(user), csrf_token: csrf };
  });

  app.post('/auth/logout', { schema: { tags: ['auth'], summary: 'End the session', response: { 204: Type.Null(), ...errors(401, 403) } } }, async (req, reply) => {
    requireUser(req);
    endSession(req, reply, auth);
    return reply.code(204).send(null);
  });

  app.get('/auth/me', { schema: { tags: ['auth'], response: { 200: Type.Object({ user: PublicUser, csrf_token: Type.Union([Type.String(), Type.Null()]) }), ...errors(401) } } }, async (req) => {
    const user = requireUser(req);
    return { user: publicUser(user), csrf_token: req.pwSession?.csrf ?? null };
  });

  // ---------------------------------------------------------------- tokens
  app.get('/tokens', { schema: { tags: ['auth'], summary: 'My API tokens (never their values)', response: { 200: Type.Object({ items: Type.Array(TokenInfo) }), ...errors(401) } } }, async (req) => {
    const user = requireUser(req);
    return { items: auth.listTokens(user.id) };
  });
  app.post('/tokens', {
    schema: {
      tags: ['auth'], summary: 'Create an API token: the value is shown ONCE',
      body: closed({ name: Type.String({ minLength: 1, maxLength: 64 }) }),
      response: { 201: Type.Object({ id: Type.Integer(), name: Type.String(), token: Type.String() }), ...errors(400, 401, 403) },
    },
  }, async (req, reply) => {
    const user = requireUser(req);
    const t = auth.createToken(user.id, req.body.name);
    auth.audit(user.name, 'token.create', `token:${t.id}`, req.body.name);
    return reply.code(201).send({ id: t.id, name: req.body.name, token: t.token });
  });
  app.delete('/tokens/:id', { schema: { tags: ['auth'], params: IdParam, response: { 204: Type.Null(), ...errors(401, 403, 404) } } }, async (req, reply) => {
    const user = requireUser(req);
    if (!auth.deleteToken(user.id, req.params.id)) throw notFound(`token ${req.params.id}`, 'id');
    auth.audit(user.name, 'token.delete', `token:${req.params.id}`);
    return reply.code(204).send(null);
  });

  // ---------------------------------------------------------------- sites
  app.get('/sites', {
    schema: {
      tags: ['sites'], summary: 'Sites in my scope with their current state',
      querystring: closed({
        province: Type.Optional(Type.String({ maxLength: 200 })), ...GroupParam,
        commune: Type.Optional(Type.String({ maxLength: 200, description: 'a commune name, or Province/Commune' })), state: Type.Optional(lit(SITE_STATES)),
        sort: Type.Optional(lit(['id', 'worst'] as const)), ...Paging,
      }),
      response: { 200: Page(SiteStatus), ...errors(400, 401) },
    },
  }, async (req) => svc.listSites(requireUser(req), withGroup(req.query)));

  app.get('/sites/:id', {
    schema: {
      tags: ['sites'], summary: 'One site: state, since when, latest measurements',
      params: closed({ id: Type.String({ maxLength: 64 }) }),
      response: { 200: SiteDetail, ...errors(401, 404) },
    },
  }, async (req) => svc.siteDetail(requireUser(req), req.params.id));

  app.get('/sites/:id/history', {
    schema: {
      tags: ['sites'], summary: 'Time series of one site (ping, bandwidth, state, lte or push); default: the last 24 h',
      params: closed({ id: Type.String({ maxLength: 64 }) }),
      querystring: closed({ what: lit(HISTORY_KINDS), from: Type.Optional(Time('start')), to: Type.Optional(Time('end')) }),
      response: { 200: Series, ...errors(400, 401, 404, 503) },
    },
  }, async (req) => {
    const user = requireUser(req);
    const to = parseTime(req.query.to, 'to', now());
    const from = parseTime(req.query.from, 'from', to - 86_400_000);
    return svc.siteHistory(user, req.params.id, from, to, req.query.what);
  });

  // ---------------------------------------------------------------- incidents
  app.get('/incidents', {
    schema: {
      tags: ['incidents'], summary: 'Incidents in my scope, open first',
      querystring: closed({ status: Type.Optional(lit(['open', 'all'] as const, { default: 'open' })), ...Paging }),
      response: { 200: Page(Incident), ...errors(400, 401) },
    },
  }, async (req) => svc.listIncidents(requireUser(req), { status: req.query.status ?? 'open', limit: req.query.limit, offset: req.query.offset }));

  app.get('/incidents/:id', {
    schema: { tags: ['incidents'], summary: 'An incident with its runbook and the steps recorded so far', params: IdParam, querystring: closed({ lang: Type.Optional(lit(LANGS)) }), response: { 200: IncidentDetail, ...errors(400, 401, 404) } },
  }, async (req) => {
    const user = requireUser(req);
    return svc.incidentDetail(user, req.params.id, req.query.lang ?? user.lang ?? s.alerting.default_lang);
  });

  app.post('/incidents/:id/ack', {
    // The note is optional: an empty request is an acknowledgement without a note.
    preValidation: async (req) => { if (req.body == null) req.body = {}; },
    schema: {
      tags: ['incidents'], summary: 'Acknowledge (admin, operator, trainee)', params: IdParam,
      body: closed({ note: Type.Optional(Type.String({ maxLength: 2000 })) }),
      response: { 200: Incident, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => svc.acknowledge(requireUser(req), req.params.id, req.body.note?.trim() || null));

  app.post('/incidents/:id/steps', {
    schema: {
      tags: ['incidents'], summary: 'Record a runbook step as done or undone (admin, operator, trainee)', params: IdParam,
      body: closed({ step: Type.Integer({ minimum: 1, maximum: 100 }), done: Type.Boolean(), note: Type.Optional(Type.String({ maxLength: 2000 })) }),
      response: { 200: Type.Object({ steps: Type.Array(RunbookStepRecord) }), ...errors(400, 401, 403, 404) },
    },
  }, async (req) => ({ steps: await svc.recordStep(requireUser(req), req.params.id, req.body.step, req.body.done, req.body.note?.trim() || null) }));

  app.post('/incidents/:id/outcome', {
    schema: {
      tags: ['incidents'], summary: 'Write what happened: cause found, what was done, parts replaced (admin, operator, trainee; open, or resolved within alerting.outcome_grace)', params: IdParam,
      body: closed({ cause_found: Type.String({ minLength: 1, maxLength: 2000 }), actions: Type.String({ minLength: 1, maxLength: 4000 }), parts: Type.Optional(Type.String({ maxLength: 1000 })) }),
      response: { 200: IncidentOutcome, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const user = requireUser(req);
    return svc.recordOutcome({ kind: 'user', user, via: req.pwSession ? 'session' : 'token' }, req.params.id, { cause_found: req.body.cause_found, actions: req.body.actions, parts: req.body.parts ?? null });
  });

  // ---------------------------------------------------------------- maintenance
  app.get('/maintenance', { schema: { tags: ['maintenance'], summary: 'Maintenance windows touching my scope', response: { 200: Type.Object({ items: Type.Array(MaintenanceItem) }), ...errors(401) } } }, async (req) => ({
    items: await svc.listMaintenance(requireUser(req)),
  }));

  const Names = Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000 }));
  app.post('/maintenance', {
    schema: {
      tags: ['maintenance'], summary: 'Create a one-off maintenance window (admin, operator)',
      body: closed({
        sites: Names, communes: Names, groups: Names, districts: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000, deprecated: true, description: 'read as groups' })),
        start: Time('start'), end: Time('end'), reason: Type.String({ minLength: 1, maxLength: 500 }),
      }),
      response: { 201: MaintenanceWindow, ...errors(400, 401, 403, 404) },
    },
  }, async (req, reply) => {
    const user = requireUser(req);
    const b = req.body;
    const start = parseTime(b.start, 'start', 0);
    const end = parseTime(b.end, 'end', 0);
    return reply.code(201).send(await svc.createMaintenance(user, { sites: b.sites, communes: b.communes, groups: [...(b.groups ?? []), ...(b.districts ?? [])], start, end, reason: b.reason }));
  });

  app.delete('/maintenance/:id', { schema: { tags: ['maintenance'], params: IdParam, response: { 204: Type.Null(), ...errors(400, 401, 403, 404) } } }, async (req, reply) => {
    await svc.deleteMaintenance(requireUser(req), req.params.id);
    return reply.code(204).send(null);
  });

  // ---------------------------------------------------------------- runbooks
  app.get('/runbooks', { schema: { tags: ['runbooks'], response: { 200: Type.Object({ items: Type.Array(RunbookSummary) }), ...errors(401) } } }, async (req) => {
    requireUser(req);
    return { items: svc.listRunbooks() };
  });
  app.get('/runbooks/:lang/:kind', {
    schema: { tags: ['runbooks'], params: closed({ lang: lit(LANGS), kind: Type.String({ pattern: '^[a-z0-9-]{1,64}$' }) }), response: { 200: RunbookView, ...errors(400, 401, 404) } },
  }, async (req) => {
    requireUser(req);
    return svc.getRunbook(req.params.lang, req.params.kind);
  });

  // ---------------------------------------------------------------- reports
  app.get('/reports/coverage', {
    schema: {
      tags: ['reports'], summary: 'Coverage report over my scope (default: the last 30 days)',
      querystring: closed({
        from: Type.Optional(Time('start')), to: Type.Optional(Time('end')),
        province: Type.Optional(Type.String({ maxLength: 200 })), ...GroupParam, commune: Type.Optional(Type.String({ maxLength: 200 })),
        group_by: Type.Optional(lit([...COVERAGE_GROUPS, 'district'] as const, { default: 'site', description: 'district: read as group' })),
      }),
      response: { 200: CoverageReport, ...errors(400, 401, 404, 503) },
    },
  }, async (req) => {
    const user = requireUser(req);
    const to = parseTime(req.query.to, 'to', now());
    const from = parseTime(req.query.from, 'from', to - 30 * 86_400_000);
    const g = req.query.group_by ?? 'site';
    return svc.coverage(user, { ...withGroup(req.query), from, to, group_by: g === 'district' ? 'group' : g });
  });

  // ---------------------------------------------------------------- admin
  app.post('/admin/inventory/reload', {
    schema: { tags: ['admin'], summary: 'Reload the inventory file (admin)', response: { 200: ReloadResult, ...errors(400, 401, 403) } },
  }, async (req) => svc.reloadInventory(requireUser(req)));

  app.get('/admin/audit', {
    schema: { tags: ['admin'], summary: 'The audit log, newest first (admin)', querystring: closed({ ...Paging }), response: { 200: AuditPage, ...errors(400, 401, 403) } },
  }, async (req) => svc.auditLog(requireUser(req), req.query.limit, req.query.offset));
};
