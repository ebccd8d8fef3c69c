/**
 * The web UI routes: server-rendered pages that work without JavaScript. Same Service as the
 * API (same scope and role checks); forms POST with the session's CSRF token and redirect (303).
 * Not signed in → redirect to /login. Language: the user's choice, else the pw_lang cookie,
 * else Accept-Language, else settings.alerting.default_lang.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import type { Lang } from '../config/schema.js';
import { LANGS } from '../config/schema.js';
import { ApiError, badRequest, notFound, unauthorized } from '../api/errors.js';
import { LANG_COOKIE, LOGIN_CSRF_COOKIE, endSession, maskCsrf, requireUser, safeEqual, startSession } from '../api/plugins/auth.js';
import { randomSecret } from '../api/auth/password.js';
import { COVERAGE_GROUPS, type CoverageGroup, type CoverageReport, type HistoryKind, type Incident } from '../api/deps.js';
import type { Principal } from '../api/auth/scope.js';
import { langFromHeader, t } from './i18n.js';
import { formValues, one, problemOf, problemText, statusText, type FormProblem } from './form-errors.js';
import type { PageCtx } from './layout.js';
import { boardPage, coveragePage, errorPage, incidentsPage, loginPage, maintenancePage, sitePage, type SiteCharts, type SiteRadio } from './pages.js';
import { communeSheet } from './sheet.js';
import { incidentPage, linkErrorPage, refusedPage, runbookPage, type IncidentFormState } from './incident-page.js';
import { notesOf, stepChanges } from './steps-form.js';
import { LINK_PATH, linkKey, verifyIncidentLink } from '../alerting/links.js';
import type { Actor, IncidentDetail } from '../api/service.js';
import { epochToLocalDate, localToEpoch } from './time.js';
import { HTML_PAGE } from '../api/route-contract.js';
import { coveragePageMap, coverageSpending } from './public/coverage-map.js';

const closed = <T extends Record<string, TSchema>>(props: T) => Type.Object(props, { additionalProperties: false });
const Csrf = Type.String({ minLength: 1, maxLength: 200 });
const STORE_PROBE_MS = 800;
const DAY = 86_400_000;

function langOf(req: FastifyRequest, fallback: Lang): Lang {
  if (req.principal?.lang) return req.principal.lang;
  const c = req.cookies[LANG_COOKIE];
  if (c === 'vi' || c === 'en') return c;
  return langFromHeader(req.headers['accept-language'], fallback);
}

/** Only local paths: never an open redirect. */
export function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/board';
}

function ctxOf(req: FastifyRequest): PageCtx {
  const { deps } = req.server.pw;
  return {
    lang: langOf(req, deps.settings.alerting.default_lang),
    user: req.principal,
    csrf: req.pwSession ? maskCsrf(req.pwSession.csrf) : null,
    timeZone: deps.settings.reports.timezone,
    path: req.url,
    now: deps.clock.now(),
    ...(deps.settings.places?.group_label ? { groupLabel: deps.settings.places.group_label[langOf(req, deps.settings.alerting.default_lang)] } : {}),
  };
}

/**
 * Used by the server's error handler for every non-API error. `_message` is the API's English
 * message (for logs and the JSON API): a page says what the status means in its own language.
 * Forms that were refused are answered by the web routes' own error handler (`formPages` in webRoutes).
 */
export function renderErrorPage(req: FastifyRequest, status: number, _message: string): string {
  const ctx = ctxOf(req);
  return errorPage(ctx, status, statusText(ctx.lang, status));
}

/** Pages need a cookie session (a Bearer token is for the API). */
function webUser(req: FastifyRequest, csrf?: string): Principal {
  if (!req.pwSession) throw unauthorized();
  return requireUser(req, csrf);
}

/** Pages load nothing from anywhere: no script at all, styles inline, forms only to this server. */
export const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
} as const;

function sendPage(reply: FastifyReply, page: string, status = 200, extra: Record<string, string> = {}) {
  return reply.code(status).type('text/html; charset=utf-8').headers({ ...PAGE_HEADERS, ...extra }).send(page);
}

/** The token is in the URL of signed-link pages: never send it on as a Referer. */
const NO_REFERRER = { 'referrer-policy': 'no-referrer' };

function list(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

async function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((r) => { timer = setTimeout(() => r(fallback), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

export const webRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { deps, auth, svc } = app.pw;
  const s = deps.settings;
  const tz = s.reports.timezone;
  // Pages answer HTML: declared as such, so every route states its answer (src/api/route-contract.ts).
  const hide = { hide: true, response: HTML_PAGE };

  /**
   * A form that was refused comes back as its page, in the reader's language, naming the field
   * and holding what was typed (a long outcome note typed on a weak link is not lost). Each form
   * route registers how to render itself again here (`METHOD /route/:param`); it answers null when
   * it cannot (no session, a link that does not open, outside the scope), and then the problem is
   * said on a plain error page, still in the reader's language. Anything that is not a problem with
   * the form (401, a role, an unknown id, 5xx) goes on to the server's handler.
   */
  type FormPage = (req: FastifyRequest, reply: FastifyReply, problem: FormProblem, message: string, status: number) => Promise<FastifyReply | null>;
  const formPages = new Map<string, FormPage>();
  app.setErrorHandler(async (err, req, reply) => {
    const problem = problemOf(err);
    const status = typeof (err as { statusCode?: unknown }).statusCode === 'number' ? (err as { statusCode: number }).statusCode : 400;
    if (!problem || status >= 500) throw err;
    const ctx = ctxOf(req);
    const values = formValues(req.method === 'GET' ? req.query : req.body);
    const message = problemText(ctx.lang, problem, values[problem.field]);
    req.log.info({ url: req.routeOptions.url, field: problem.field, reason: problem.reason }, 'form refused');
    const render = formPages.get(`${req.method} ${req.routeOptions.url ?? ''}`);
    // A page that cannot come back (outside the scope: 404 from the Service) falls back to the plain page.
    const sent = render
      ? await render(req, reply, problem, message, status).catch((e: unknown) => {
        req.log.info({ err: e, url: req.routeOptions.url }, 'refused form not rendered again');
        return null;
      })
      : null;
    if (sent) return sent;
    return sendPage(reply, errorPage(ctx, status, message), status, req.url.startsWith(LINK_PATH) ? NO_REFERRER : {});
  });

  app.get('/', { schema: hide }, async (_req, reply) => reply.redirect('/board', 303));

  // ---------------------------------------------------------------- login / logout / language
  app.get('/login', { schema: { ...hide, querystring: closed({ next: Type.Optional(Type.String({ maxLength: 500 })) }) } }, async (req, reply) => {
    const token = randomSecret(18);
    reply.setCookie(LOGIN_CSRF_COOKIE, token, { path: '/login', httpOnly: true, sameSite: 'lax', secure: s.api.public_url.startsWith('https:'), signed: true, maxAge: 3600 });
    return sendPage(reply, loginPage(ctxOf(req), token, safeNext(req.query.next), false));
  });

  app.post('/login', {
    preHandler: app.pw.loginLimit,
    schema: { ...hide, body: closed({ username: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: 1024 }), _csrf: Csrf, next: Type.Optional(Type.String({ maxLength: 500 })) }) },
  }, async (req, reply) => {
    const raw = req.cookies[LOGIN_CSRF_COOKIE];
    const un = raw ? req.unsignCookie(raw) : null;
    if (!un?.valid || !un.value || !safeEqual(un.value, req.body._csrf)) throw new ApiError(403, 'csrf', 'the sign-in form expired: open the sign-in page again');
    const user = await auth.checkLogin(req.body.username, req.body.password);
    const next = safeNext(req.body.next);
    if (!user) {
      req.log.info({ user: req.body.username, ip: req.ip }, 'login failed');
      return sendPage(reply, loginPage(ctxOf(req), un.value, next, true), 401);
    }
    startSession(reply, auth, user, s.api.public_url, s.auth.session_ttl);
    reply.clearCookie(LOGIN_CSRF_COOKIE, { path: '/login' });
    return reply.redirect(next, 303);
  });

  // A refused sign-in comes back with the user name kept (never the password) and a fresh form token.
  formPages.set('POST /login', async (req, reply, _problem, message, status) => {
    const values = formValues(req.body);
    const token = randomSecret(18);
    reply.setCookie(LOGIN_CSRF_COOKIE, token, { path: '/login', httpOnly: true, sameSite: 'lax', secure: s.api.public_url.startsWith('https:'), signed: true, maxAge: 3600 });
    return sendPage(reply, loginPage(ctxOf(req), token, safeNext(one(values, 'next')), false, { message, username: one(values, 'username') ?? '' }), status);
  });

  app.post('/logout', { schema: { ...hide, body: closed({ _csrf: Csrf }) } }, async (req, reply) => {
    webUser(req, req.body._csrf);
    endSession(req, reply, auth);
    return reply.redirect('/login', 303);
  });

  app.get('/lang/:lang', {
    schema: { ...hide, params: closed({ lang: Type.Unsafe<Lang>({ type: 'string', enum: [...LANGS] }) }), querystring: closed({ next: Type.Optional(Type.String({ maxLength: 500 })) }) },
  }, async (req, reply) => {
    reply.setCookie(LANG_COOKIE, req.params.lang, { path: '/', sameSite: 'lax', maxAge: 365 * 86400, httpOnly: true });
    if (req.principal && req.pwSession) auth.setLang(req.principal.id, req.params.lang);
    return reply.redirect(safeNext(req.query.next), 303);
  });

  // ---------------------------------------------------------------- board and sites
  app.get('/board', { schema: { ...hide, querystring: closed({ show: Type.Optional(Type.Union([Type.Literal('problems'), Type.Literal('all')])) }) } }, async (req, reply) => {
    const user = webUser(req);
    const page = svc.listSites(user, { limit: 100_000, offset: 0, sort: 'worst' });
    const storeUp = await withTimeout(deps.history.ping().catch(() => false), STORE_PROBE_MS, false);
    return sendPage(reply, boardPage(ctxOf(req), page.items, !storeUp, req.query.show === 'problems'));
  });

  app.get('/sites/:id', { schema: { ...hide, params: closed({ id: Type.String({ maxLength: 64 }) }) } }, async (req, reply) => {
    const user = webUser(req);
    const d = svc.siteDetail(user, req.params.id);
    const now = deps.clock.now();
    const get = (from: number, what: HistoryKind) => deps.history.siteHistory(d.site.id, from, now, what);
    let charts: SiteCharts | null = null;
    let radio: SiteRadio | null = null;
    try {
      const [ping24, ping7, bw24, bw7, lte24, lte7, push24, push7] = await Promise.all([
        get(now - DAY, 'ping'), get(now - 7 * DAY, 'ping'), get(now - DAY, 'bandwidth'), get(now - 7 * DAY, 'bandwidth'),
        get(now - DAY, 'lte'), get(now - 7 * DAY, 'lte'), get(now - DAY, 'push'), get(now - 7 * DAY, 'push'),
      ]);
      charts = { ping24, ping7, bw24, bw7 };
      radio = { lte24, lte7, push24, push7, thresholds: s.thresholds.lte };
    } catch (err) {
      req.log.warn({ err, site: d.site.id }, 'history read failed; page rendered from the last known state');
    }
    const open = (await svc.listIncidents(user, { status: 'open', limit: 50, offset: 0 })).items.filter((i) => i.site_id === d.site.id || i.affected.includes(d.site.id));
    return sendPage(reply, sitePage(ctxOf(req), d, charts, open, radio));
  });

  // The printable commune sheet: the commune's sites the user may see (none → 404, as for a site id).
  app.get('/sheet', {
    schema: { ...hide, querystring: closed({ province: Type.String({ minLength: 1, maxLength: 200 }), commune: Type.String({ minLength: 1, maxLength: 200 }) }) },
  }, async (req, reply) => {
    const user = webUser(req);
    const { province, commune } = req.query;
    const sites = svc.listSites(user, { province, commune, limit: 100_000, offset: 0 }).items.map((i) => i.site);
    if (!sites.length) throw notFound(`commune ${commune} in ${province}`, 'commune');
    const inv = deps.inventory();
    const ctx = ctxOf(req);
    const page = communeSheet({
      lang: ctx.lang, province, commune, sites, areas: inv.areas, siteNames: new Map(svc.visibleSites(user).map((x) => [x.id, x.name])),
      printedAt: ctx.now, timeZone: tz, backHref: '/board', ...(ctx.groupLabel ? { groupLabel: ctx.groupLabel } : {}),
    });
    return sendPage(reply, page);
  });

  // ---------------------------------------------------------------- incidents
  app.get('/incidents', { schema: { ...hide, querystring: closed({ status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('all')])) }) } }, async (req, reply) => {
    const user = webUser(req);
    const status = req.query.status ?? 'open';
    const page = await svc.listIncidents(user, { status, limit: 500, offset: 0 });
    const names = new Map(deps.inventory().sites.map((x) => [x.id, x.name]));
    return sendPage(reply, incidentsPage(ctxOf(req), page.items, names, status === 'all'));
  });

  const IdParam = closed({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
  const Note = Type.String({ maxLength: 2000 });
  const Name = Type.String({ maxLength: 100 });
  const StepNo = Type.String({ maxLength: 3 });
  // One checklist form: the ticked boxes (`done`, repeated), a note per step (`note_N`), the step whose Save was pressed (`at`).
  const stepsBody = (extra: Record<string, TSchema>) => Type.Object(
    { ...extra, done: Type.Optional(Type.Union([StepNo, Type.Array(StepNo, { maxItems: 200 })])), at: Type.Optional(StepNo) },
    { additionalProperties: false, patternProperties: { '^note_[0-9]{1,3}$': Note } },
  );
  const outcomeFields = { cause_found: Type.String({ maxLength: 2000 }), actions: Type.String({ maxLength: 4000 }), parts: Type.Optional(Type.String({ maxLength: 1000 })) };

  const siteNameOf = (i: Incident) => (i.site_id ? deps.inventory().sites.find((x) => x.id === i.site_id)?.name ?? i.site_id : null);
  const pageData = (d: IncidentDetail) => ({ ...d, siteName: siteNameOf(d.incident) });

  /** Post the checklist form for `actor`: only what changed is recorded. */
  async function saveSteps(actor: Actor, id: number, body: Record<string, unknown> & { done?: string | string[] }): Promise<void> {
    const inc = (await deps.incidents.getIncident(id))!;
    const book = svc.runbookFor(inc.kind, s.alerting.default_lang);
    const changes = stepChanges(body.done, notesOf(body), await deps.incidents.steps(id), book?.steps.length ?? 0);
    await svc.recordSteps(actor, id, changes); // also with no change: the role and the grace period are checked
  }
  /**
   * Run a form's action, then go to `next` (303). A conflict is explained in the reader's language:
   * a second tap on "acknowledge" just shows the page again; a record closed after the grace period says so.
   */
  async function act(req: FastifyRequest, reply: FastifyReply, id: number, back: string, next: string, fn: () => Promise<unknown>) {
    try {
      await fn();
    } catch (err) {
      if (!(err instanceof ApiError) || err.statusCode !== 409) throw err;
      const inc = await deps.incidents.getIncident(id);
      const until = inc ? svc.editableUntil(inc) : null;
      if (inc && (until === null || deps.clock.now() <= until)) return reply.redirect(back, 303);
      return sendPage(reply, refusedPage(ctxOf(req), t(ctxOf(req).lang, 'closed_for_edits'), back), 409, back.startsWith(LINK_PATH) ? NO_REFERRER : {});
    }
    return reply.redirect(next, 303);
  }
  const afterSteps = (base: string, at: string | undefined) => `${base}#${at && /^[0-9]{1,3}$/.test(at) ? `step-${at}` : 'steps'}`;

  app.get('/incidents/:id', { schema: { ...hide, params: IdParam } }, async (req, reply) => {
    const user = webUser(req);
    const ctx = ctxOf(req);
    const d = await svc.incidentDetail(user, req.params.id, ctx.lang);
    return sendPage(reply, incidentPage(ctx, pageData(d), { base: `/incidents/${d.incident.id}`, link: null }));
  });

  // The plain links of a notice (for a signed-in user): a GET only opens the form on the page.
  for (const what of ['ack', 'outcome'] as const) {
    app.get(`/incidents/:id/${what}`, { schema: { ...hide, params: IdParam } }, async (req, reply) => {
      webUser(req);
      return reply.redirect(`/incidents/${req.params.id}#${what}`, 303);
    });
  }

  const session = (user: Principal): Actor => ({ kind: 'user', user, via: 'session' });

  /** The incident page again with the refused form filled in, for a signed-in user who may see it. */
  const incidentFormPage = (form: IncidentFormState['form']): FormPage => async (req, reply, _problem, message, status) => {
    if (!req.pwSession || !req.principal) return null;
    const id = Number((req.params as { id?: unknown }).id);
    if (!Number.isSafeInteger(id) || id < 1) return null;
    const ctx = ctxOf(req);
    const d = await svc.incidentDetail(req.principal, id, ctx.lang); // scope: outside it, the plain page
    return sendPage(reply, incidentPage(ctx, pageData(d), { base: `/incidents/${id}`, link: null }, { form, message, values: formValues(req.body) }), status);
  };
  for (const form of ['ack', 'steps', 'outcome'] as const) formPages.set(`POST /incidents/:id/${form}`, incidentFormPage(form));

  app.post('/incidents/:id/ack', { schema: { ...hide, params: IdParam, body: closed({ _csrf: Csrf, note: Type.Optional(Note) }) } }, async (req, reply) => {
    const user = webUser(req, req.body._csrf);
    const back = `/incidents/${req.params.id}`;
    return act(req, reply, req.params.id, back, back, () => svc.acknowledge(session(user), req.params.id, req.body.note?.trim() || null));
  });

  app.post('/incidents/:id/steps', { schema: { ...hide, params: IdParam, body: stepsBody({ _csrf: Csrf }) } }, async (req, reply) => {
    const body = req.body as Record<string, unknown> & { _csrf: string; done?: string | string[]; at?: string };
    const user = webUser(req, body._csrf);
    await svc.incidentDetail(user, req.params.id, s.alerting.default_lang); // scope first: 404 outside it
    const back = `/incidents/${req.params.id}`;
    return act(req, reply, req.params.id, back, afterSteps(back, body.at), () => saveSteps(session(user), req.params.id, body));
  });

  app.post('/incidents/:id/outcome', { schema: { ...hide, params: IdParam, body: closed({ _csrf: Csrf, ...outcomeFields }) } }, async (req, reply) => {
    const user = webUser(req, req.body._csrf);
    const back = `/incidents/${req.params.id}`;
    return act(req, reply, req.params.id, back, `${back}#outcome`, () => svc.recordOutcome(session(user), req.params.id, { cause_found: req.body.cause_found, actions: req.body.actions, parts: req.body.parts ?? null }));
  });

  // ---------------------------------------------------------------- signed links (no login)
  // `/s/<token>`: one incident's runbook page, acknowledge, steps and outcome; nothing else.
  const key = linkKey(deps.sessionSecret);
  const TokenParam = closed({ token: Type.String({ maxLength: 64 }) });
  const LINK_NAME_COOKIE = 'pw_link_name';

  /** The incident a token opens, or null after the error page was sent (404 invalid or revoked, 410 expired). */
  async function linked(req: FastifyRequest, reply: FastifyReply): Promise<{ id: number; expires_at: number } | null> {
    const token = (req.params as { token: string }).token;
    const id = Number(/^([1-9][0-9]{0,9})\./.exec(token)?.[1] ?? NaN);
    const inc = Number.isSafeInteger(id) && id <= 2_147_483_647 ? await deps.incidents.getIncident(id) : null;
    const r = verifyIncidentLink(key, token, deps.clock.now(), (x) => (inc && inc.id === x ? inc : null));
    if (r.ok) return { id: r.incident, expires_at: r.expires_at };
    req.log.info({ reason: r.reason, incident: r.incident }, 'signed link refused');
    await sendPage(reply, linkErrorPage(ctxOf(req), r.reason === 'expired'), r.reason === 'expired' ? 410 : 404, NO_REFERRER);
    return null;
  }
  const linkActor = (req: FastifyRequest, reply: FastifyReply, incident: number, name: string | undefined): Actor => {
    const n = name?.trim() || null;
    if (n) reply.setCookie(LINK_NAME_COOKIE, n, { path: LINK_PATH, httpOnly: true, sameSite: 'lax', secure: s.api.public_url.startsWith('https:'), maxAge: 30 * 86400 });
    return { kind: 'link', incident, name: n ?? (req.cookies[LINK_NAME_COOKIE]?.slice(0, 100) || null) };
  };
  const linkBase = (token: string) => `${LINK_PATH}/${token}`;

  app.get(`${LINK_PATH}/:token`, { schema: { ...hide, params: TokenParam } }, async (req, reply) => {
    const l = await linked(req, reply);
    if (!l) return reply;
    const ctx = ctxOf(req);
    const d = await svc.linkIncidentDetail(l.id, ctx.lang);
    const name = req.cookies[LINK_NAME_COOKIE]?.slice(0, 100) || null;
    return sendPage(reply, incidentPage(ctx, pageData(d), { base: linkBase(req.params.token), link: { expires_at: l.expires_at, name } }), 200, NO_REFERRER);
  });

  // The notice's acknowledge and outcome links (Telegram buttons too): a GET never changes anything, it opens the form.
  for (const what of ['ack', 'outcome'] as const) {
    app.get(`${LINK_PATH}/:token/${what}`, { schema: { ...hide, params: TokenParam } }, async (req, reply) => {
      if (!(await linked(req, reply))) return reply;
      return reply.headers(NO_REFERRER).redirect(`${linkBase(req.params.token)}#${what}`, 303);
    });
  }

  /**
   * The link's page again with the refused form filled in. A token that does not open the
   * incident answers as it always does (404 or 410), whatever the form said.
   */
  const linkFormPage = (form: IncidentFormState['form']): FormPage => async (req, reply, _problem, message, status) => {
    const token = String((req.params as { token?: unknown }).token ?? '');
    if (token.length > 64) return null;
    const l = await linked(req, reply);
    if (!l) return reply;
    const ctx = ctxOf(req);
    const d = await svc.linkIncidentDetail(l.id, ctx.lang);
    const name = req.cookies[LINK_NAME_COOKIE]?.slice(0, 100) || null;
    return sendPage(reply, incidentPage(ctx, pageData(d), { base: linkBase(token), link: { expires_at: l.expires_at, name } }, { form, message, values: formValues(req.body) }), status, NO_REFERRER);
  };
  for (const form of ['ack', 'steps', 'outcome'] as const) formPages.set(`POST ${LINK_PATH}/:token/${form}`, linkFormPage(form));

  app.post(`${LINK_PATH}/:token/ack`, { schema: { ...hide, params: TokenParam, body: closed({ name: Type.Optional(Name), note: Type.Optional(Note) }) } }, async (req, reply) => {
    const l = await linked(req, reply);
    if (!l) return reply;
    const back = linkBase(req.params.token);
    return act(req, reply, l.id, back, back, () => svc.acknowledge(linkActor(req, reply, l.id, req.body.name), l.id, req.body.note?.trim() || null));
  });

  app.post(`${LINK_PATH}/:token/steps`, { schema: { ...hide, params: TokenParam, body: stepsBody({ name: Type.Optional(Name) }) } }, async (req, reply) => {
    const l = await linked(req, reply);
    if (!l) return reply;
    const body = req.body as Record<string, unknown> & { name?: string; done?: string | string[]; at?: string };
    const back = linkBase(req.params.token);
    return act(req, reply, l.id, back, afterSteps(back, body.at), () => saveSteps(linkActor(req, reply, l.id, body.name), l.id, body));
  });

  app.post(`${LINK_PATH}/:token/outcome`, { schema: { ...hide, params: TokenParam, body: closed({ name: Type.Optional(Name), ...outcomeFields }) } }, async (req, reply) => {
    const l = await linked(req, reply);
    if (!l) return reply;
    const back = linkBase(req.params.token);
    return act(req, reply, l.id, back, `${back}#outcome`, () => svc.recordOutcome(linkActor(req, reply, l.id, req.body.name), l.id, { cause_found: req.body.cause_found, actions: req.body.actions, parts: req.body.parts ?? null }));
  });

  // Notices sent before signed links pointed here: the runbook alone, for a signed-in user.
  app.get('/runbooks/:lang/:kind', {
    schema: { ...hide, params: closed({ lang: Type.Unsafe<Lang>({ type: 'string', enum: [...LANGS] }), kind: Type.String({ maxLength: 64 }) }) },
  }, async (req, reply) => {
    webUser(req);
    return sendPage(reply, runbookPage(ctxOf(req), svc.getRunbook(req.params.lang, req.params.kind)));
  });

  // ---------------------------------------------------------------- maintenance
  app.get('/maintenance', { schema: hide }, async (req, reply) => {
    const user = webUser(req);
    return sendPage(reply, maintenancePage(ctxOf(req), await svc.listMaintenance(user)));
  });

  app.post('/maintenance', {
    schema: {
      ...hide,
      body: closed({
        _csrf: Csrf, sites: Type.Optional(Type.String({ maxLength: 2000 })), communes: Type.Optional(Type.String({ maxLength: 2000 })), groups: Type.Optional(Type.String({ maxLength: 2000 })),
        start: Type.String({ maxLength: 40 }), end: Type.String({ maxLength: 40 }), reason: Type.String({ minLength: 1, maxLength: 500 }),
      }),
    },
  }, async (req, reply) => {
    const user = webUser(req, req.body._csrf);
    const start = localToEpoch(req.body.start, tz);
    const end = localToEpoch(req.body.end, tz);
    if (start === null) throw badRequest('start is not a date and time', 'start');
    if (end === null) throw badRequest('end is not a date and time', 'end');
    await svc.createMaintenance(user, { sites: list(req.body.sites), communes: list(req.body.communes), groups: list(req.body.groups), start, end, reason: req.body.reason });
    return reply.redirect('/maintenance', 303);
  });

  formPages.set('POST /maintenance', async (req, reply, _problem, message, status) => {
    if (!req.pwSession || !req.principal) return null;
    return sendPage(reply, maintenancePage(ctxOf(req), await svc.listMaintenance(req.principal), { message, values: formValues(req.body) }), status);
  });

  app.post('/maintenance/:id/delete', { schema: { ...hide, params: IdParam, body: closed({ _csrf: Csrf }) } }, async (req, reply) => {
    const user = webUser(req, req.body._csrf);
    await svc.deleteMaintenance(user, req.params.id);
    return reply.redirect('/maintenance', 303);
  });

  // ---------------------------------------------------------------- coverage
  // The report form is a GET: a refused one comes back with its fields as typed and no report.
  formPages.set('GET /coverage', async (req, reply, _problem, message, status) => {
    if (!req.pwSession || !req.principal) return null;
    const v = formValues(req.query);
    const q = { from: one(v, 'from') ?? '', to: one(v, 'to') ?? '', group_by: one(v, 'group_by') ?? 'commune' };
    return sendPage(reply, coveragePage(ctxOf(req), q, null, message), status);
  });

  app.get('/coverage', {
    schema: {
      ...hide,
      querystring: closed({
        from: Type.Optional(Type.String({ maxLength: 20 })), to: Type.Optional(Type.String({ maxLength: 20 })),
        group_by: Type.Optional(Type.Unsafe<CoverageGroup>({ type: 'string', enum: [...COVERAGE_GROUPS] })),
        province: Type.Optional(Type.String({ maxLength: 200 })), group: Type.Optional(Type.String({ maxLength: 200 })), commune: Type.Optional(Type.String({ maxLength: 200 })),
      }),
    },
  }, async (req, reply) => {
    const user = webUser(req);
    const now = deps.clock.now();
    const q = {
      from: req.query.from ?? epochToLocalDate(now - 30 * DAY, tz),
      to: req.query.to ?? epochToLocalDate(now, tz),
      group_by: req.query.group_by ?? 'commune',
      province: req.query.province, group: req.query.group, commune: req.query.commune,
    };
    const from = localToEpoch(q.from, tz);
    const toDay = localToEpoch(q.to, tz);
    if (from === null) throw badRequest('from is not a date (YYYY-MM-DD)', 'from');
    if (toDay === null) throw badRequest('to is not a date (YYYY-MM-DD)', 'to');
    let report: CoverageReport | null = null;
    let error: string | null = null;
    try {
      report = await svc.coverage(user, { ...q, from, to: Math.min(toDay + DAY, now), group_by: q.group_by });
    } catch (err) {
      if (!(err instanceof ApiError) || err.statusCode !== 503) throw err;
      error = ctxOf(req).lang === 'vi' ? 'Không tính được báo cáo: cơ sở dữ liệu lịch sử không phản hồi.' : err.message;
    }
    return sendPage(reply, coveragePage(ctxOf(req), q, report, error, report ? (coveragePageMap(report, deps.inventory().sites, ctxOf(req).lang, q) ?? '') + coverageSpending(report, deps.inventory().sites, ctxOf(req).lang, deps.db, { tz, budget: s.budget.sms_zalo_per_commune_month }) || null : null));
  });
};
