import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { renderPrometheus } from '../metrics.js';

const READY_TIMEOUT_MS = 2000;

/** Liveness, readiness (the store answers) and Prometheus metrics. No auth: no data in them. */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { deps } = app.pw;

  app.get('/healthz', { schema: { hide: true, response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    let timer: NodeJS.Timeout | undefined;
    const store = await Promise.race([
      deps.history.ping().catch(() => false),
      new Promise<boolean>((r) => { timer = setTimeout(() => r(false), READY_TIMEOUT_MS); }),
    ]);
    clearTimeout(timer);
    return reply.code(store ? 200 : 503).send({ status: store ? 'ready' : 'not ready', store: store ? 'ok' : 'unavailable' });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const samples = await deps.metrics();
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(renderPrometheus(samples));
  });
};
