/**
 * POST /api/v1/push/:site — a router behind carrier NAT reports in (src/push). Outside the login:
 * authenticated by the site's token through an HMAC signature (src/push/signature.ts).
 *
 * Checked cheapest first, nothing stored before every check passed:
 *   413 body over push.max_body_bytes (before it is read in full)
 *   400 missing/odd timestamp header; 401 missing signature, no token for the site, signature
 *   mismatch (another site's token included), timestamp outside the window; 409 replay;
 *   429 over push.reports_per_interval (Retry-After); 400 not JSON, not a v1 report, another site's id.
 * Hostile input is a 4xx, never a 5xx; the body is never logged, and no token ever reaches this code.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ApiError, ErrorBody } from '../errors.js';
import { parseReport } from '../../push/report.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, checkFreshness, signatureMatches } from '../../push/signature.js';

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));
const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

export const pushRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { deps } = app.pw;
  const push = deps.push!;
  const cfg = deps.settings.push;
  const log = deps.logger.child({ component: 'push' });

  // The signature is over the exact bytes sent: keep the body as text, whatever the content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: cfg.max_body_bytes }, (_req, body, done) => done(null, body));

  const reject = (status: number, code: string, message: string, site: string, field?: string): never => {
    push.stats.rejected[code] = (push.stats.rejected[code] ?? 0) + 1;
    log.debug({ site, code }, 'push report refused');
    throw new ApiError(status, code, message, field);
  };

  app.post('/push/:site', {
    bodyLimit: cfg.max_body_bytes,
    schema: {
      tags: ['push'],
      security: [],
      summary: 'A push report from a router (signed with the site token; see README "Push reports")',
      description: `Headers: \`${TIMESTAMP_HEADER}\` (unix seconds) and \`${SIGNATURE_HEADER}: sha256=<hex>\`, HMAC-SHA256 keyed with hex(SHA-256(token)) over \`<timestamp>.<body>\`. Body: a PushReport v1 (JSON).`,
      params: Type.Object({ site: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }) }, { additionalProperties: false }),
      // for HTTP clients that cannot set headers (uclient-fetch before OpenWrt 24.10): the same values in the query
      querystring: Type.Object({ ts: Type.Optional(Type.String({ maxLength: 16 })), sig: Type.Optional(Type.String({ maxLength: 140 })) }, { additionalProperties: false }),
      response: {
        202: Type.Object({ accepted: Type.Literal(true), site: Type.String(), interval_s: Type.Integer() }),
        ...errors(400, 401, 409, 413, 429),
      },
    },
  }, async (req, reply) => {
    const now = deps.clock.now();
    const site = req.params.site;
    const body = typeof req.body === 'string' ? req.body : '';
    const ts = header(req, TIMESTAMP_HEADER) ?? req.query.ts;
    if (ts === undefined || !/^[0-9]{9,11}$/.test(ts)) reject(400, 'bad_timestamp', `${TIMESTAMP_HEADER}: unix seconds required`, site, TIMESTAMP_HEADER);
    const sig = header(req, SIGNATURE_HEADER) ?? req.query.sig;
    if (sig === undefined || !/^sha(256=[0-9a-f]{64}|512=[0-9a-f]{128})$/.test(sig)) reject(401, 'unauthorized', `${SIGNATURE_HEADER}: sha256=<64 hex digits> (or sha512=<128>) required`, site, SIGNATURE_HEADER);
    const pushSite = push.source.site(site);
    const key = pushSite ? push.tokens.keyFor(site) : null;
    if (!pushSite || key === null) reject(401, 'unauthorized', `site "${site}" takes no push reports: not a push site, or no token yet (pointwatch site token ${site})`, site);
    if (!signatureMatches(key!, ts!, body, sig!)) reject(401, 'bad_signature', 'signature does not match: wrong token, or the body or timestamp changed on the way', site, SIGNATURE_HEADER);
    const fresh = checkFreshness(ts, now, cfg.max_clock_skew_s);
    if (!fresh.ok) reject(fresh.code === 'stale' ? 401 : 400, fresh.code, fresh.message, site, TIMESTAMP_HEADER);
    const signedTs = (fresh as { ts: number }).ts;
    if (push.source.isReplay(site, signedTs, sig!)) reject(409, 'replay', 'this report was already accepted, or one signed later was', site, TIMESTAMP_HEADER);
    const adm = push.source.admit(site, signedTs, sig!, now);
    if (!adm.ok) {
      void reply.header('retry-after', String(adm.retry_after_s));
      reject(429, 'rate_limited', `more than ${cfg.reports_per_interval} reports per ${pushSite!.push!.interval_s} s: wait ${adm.retry_after_s} s`, site);
    }
    const parsed = parseReport(body, site);
    if (!parsed.ok) reject(400, parsed.code, parsed.message, site, parsed.field);
    const check = push.source.accept(site, (parsed as Extract<typeof parsed, { ok: true }>).report, now);
    push.stats.accepted++;
    await push.onCheck(check); // queued: stored and judged within push linger, after the answer
    return reply.code(202).send({ accepted: true as const, site, interval_s: pushSite!.push!.interval_s });
  });
};
