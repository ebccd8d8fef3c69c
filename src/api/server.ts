/**
 * The HTTP server: a plugin tree (external plugins, then services as decorators, then routes).
 * `buildServer` never listens; the composition root calls `app.listen({ host, port })`.
 *
 *   /healthz /readyz /metrics      health (no auth)
 *   /docs                          OpenAPI 3 (swagger-ui)
 *   /api/v1/...                    JSON API (Bearer token or session cookie + x-csrf-token)
 *   /login /board /sites/:id ...   the server-rendered web UI (session cookie + _csrf field)
 */
import zlib from 'node:zlib';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyRequest, type RouteOptions } from 'fastify';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import type { ApiDeps } from './deps.js';
import { InputError } from '../core/errors.js';
import { ApiError, type ErrorBody } from './errors.js';
import { AuthStore } from './auth/store.js';
import { Service } from './service.js';
import { registerAuth, SESSION_COOKIE } from './plugins/auth.js';
import { healthRoutes } from './routes/health.js';
import { apiRoutes } from './routes/api.js';
import { pushRoutes } from './routes/push.js';
import { webRoutes, renderErrorPage, PAGE_HEADERS } from '../web/routes.js';
import { publicRoutes } from '../web/public/routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** `routes`: every route as registered (onRoute), for the response-contract check. */
    pw: { deps: ApiDeps; auth: AuthStore; svc: Service; loginLimit: (req: FastifyRequest) => Promise<void>; routes: readonly RouteOptions[] };
  }
}

/** Turn any error into THE error shape; validation errors name the field. */
export function toErrorBody(err: FastifyError | ApiError | Error): { status: number; body: ErrorBody } {
  if (err instanceof ApiError) return { status: err.statusCode, body: err.body() };
  if (err instanceof InputError) return { status: 400, body: { error: { code: 'bad_request', message: err.problems.join('\n') } } };
  const fe = err as FastifyError;
  if (fe.validation && fe.validation.length) {
    const v = fe.validation[0]!;
    const params = (v.params ?? {}) as Record<string, unknown>;
    const ctx = fe.validationContext ?? 'request';
    let field = v.instancePath.split('/').filter(Boolean).join('.');
    let message: string;
    if (typeof params.additionalProperty === 'string') {
      field = field ? `${field}.${params.additionalProperty}` : params.additionalProperty;
      message = `${ctx}: unknown field "${field}"`;
    } else if (typeof params.missingProperty === 'string') {
      field = field ? `${field}.${params.missingProperty}` : params.missingProperty;
      message = `${ctx}: "${field}" is required`;
    } else {
      message = `${ctx}: "${field || ctx}" ${v.message ?? 'is invalid'}`;
    }
    return { status: 400, body: { error: { code: 'bad_request', message, ...(field ? { field } : {}) } } };
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 413) return { status, body: { error: { code: 'payload_too_large', message: 'request body too large' } } };
  if (status === 415) return { status, body: { error: { code: 'unsupported_media_type', message: 'send application/json or a form' } } };
  if (status === 429) return { status, body: { error: { code: 'rate_limited', message: 'too many attempts; wait a minute' } } };
  if (status >= 400 && status < 500) return { status, body: { error: { code: 'bad_request', message: fe.message } } };
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
}

export async function buildServer(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.settings.api.body_limit_bytes,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Unknown fields are an error (additionalProperties: false), never silently dropped. Query strings
  // and path parameters are text, so they are coerced (`limit=10` → 10); JSON bodies are NOT
  // (`{"note": 5}` is a 400, not the string "5").
  const ajvOptions = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false } as const;
  const textAjv = new Ajv({ ...ajvOptions, coerceTypes: 'array' });
  const bodyAjv = new Ajv({ ...ajvOptions, coerceTypes: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema));
  // Seen before any plugin registers: every route, ours and future ones, is checked (route-contract.ts).
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (r) => {
    routes.push(r);
  });

  // ---- external plugins
  // Pages and JSON are compressed for slow commune links (a 1,000-site board: 220 KB → 17 KB).
  await app.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip'], brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } } });
  await app.register(cookie, { secret: deps.sessionSecret, hook: 'onRequest' });
  await app.register(formbody, { bodyLimit: deps.settings.api.body_limit_bytes });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: () => new ApiError(429, 'rate_limited', 'too many attempts; wait a minute'),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'pointwatch API',
        version: '1',
        description:
          'Village public Wi-Fi points: sites, history, incidents, maintenance, runbooks, coverage.\n\n' +
          'Errors always have the shape `{ "error": { "code", "message", "field"? } }`.\n\n' +
          'Authenticate with `Authorization: Bearer <token>` (create one with `pointwatch user token NAME` or POST /api/v1/tokens), ' +
          'or log in (POST /api/v1/auth/login) and send the session cookie plus `x-csrf-token` on unsafe methods.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // ---- services as decorators
  const auth = new AuthStore(deps.db, () => deps.clock.now());
  const svc = new Service(deps, auth);
  // ONE login budget per client for the API and the web form together.
  const limiter = app.createRateLimit({ max: deps.settings.auth.login_attempts_per_minute, timeWindow: 60_000 });
  const loginLimit = async (req: FastifyRequest) => {
    const r = await limiter(req);
    if (!r.isAllowed && r.isExceeded) throw new ApiError(429, 'rate_limited', 'too many attempts; wait a minute');
  };
  app.decorate('pw', { deps, auth, svc, loginLimit, routes });
  registerAuth(app as unknown as FastifyInstance, auth);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const { status, body } = toErrorBody(err);
    if (status >= 500) req.log.error({ err, url: req.routeOptions.url }, 'request failed');
    if (!req.url.startsWith('/api/') && !req.url.startsWith('/docs')) {
      if (status === 401) return reply.redirect(`/login?next=${encodeURIComponent(req.method === 'GET' ? req.url : '/board')}`, 303);
      return reply.code(status).type('text/html; charset=utf-8').headers(PAGE_HEADERS).send(renderErrorPage(req, status, body.error.message));
    }
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    const body: ErrorBody = { error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } };
    if (!req.url.startsWith('/api/')) return reply.code(404).type('text/html; charset=utf-8').headers(PAGE_HEADERS).send(renderErrorPage(req, 404, body.error.message));
    return reply.code(404).send(body);
  });

  // ---- routes
  await app.register(healthRoutes);
  await app.register(apiRoutes, { prefix: '/api/v1' });
  if (deps.push) await app.register(pushRoutes, { prefix: '/api/v1' });
  await app.register(webRoutes);
  await app.register(publicRoutes); // opt-in public status pages (settings.public)
  return app as unknown as FastifyInstance;
}
