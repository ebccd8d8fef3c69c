import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../core/schema.js';
import { renderPrometheus } from '../metrics.js';

const READY_TIMEOUT_MS = 2000;

/** Liveness, readiness (the store answers) and Prometheus metrics. No auth: no data in them. */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { deps } = app.pw;

  app.get('/healthz', { schema: { hide: true, response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({ status: 'ok' as const }));

  const Ready = Type.Object({ status: StringEnum(['ready', 'not ready'] as const), store: StringEnum(['ok', 'unavailable'] as const) });
  app.get('/readyz', { schema: { hide: true, response: { 200: Ready, 503: Ready } } }, async (_req, reply) => {
    let timer: NodeJS.Timeout | undefined;
    const store = await Promise.race([
      deps.history.ping().catch(() => false),
      new Promise<boolean>((r) => { timer = setTimeout(() => r(false), READY_TIMEOUT_MS); }),
    ]);
    clearTimeout(timer);
    return reply.code(store ? 200 : 503).send({ status: store ? 'ready' as const : 'not ready' as const, store: store ? 'ok' as const : 'unavailable' as const });
  });

  // Prometheus text, not JSON: its answer is declared by content type.
  app.get('/metrics', { schema: { hide: true, response: { 200: { content: { 'text/plain': { schema: Type.String() } } } } } }, async (_req, reply) => {
    const samples = await deps.metrics();
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(renderPrometheus(samples));
  });
};
