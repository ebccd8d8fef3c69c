/**
 * Zalo Notification Service (ZNS): template messages to a phone number that has Zalo.
 *   POST {api_base}/message/template   header `access_token: <OA token>`
 *   { phone: "84912345678", template_id, template_data: {...}, tracking_id: <notice id> }
 * The answer carries `error` (0 = sent) and `message`; `data.msg_id` on success.
 * An invalid/expired access token (ZNS error -124; -216 on the OA API) → one refresh at
 *   POST {oauth_base}/v4/oa/access_token   header `secret_key: <app secret>`,
 *   form `refresh_token, app_id, grant_type=refresh_token` → { access_token, refresh_token, expires_in }
 * then the send is retried once. Zalo refresh tokens are single-use: the new pair goes to the
 * token store (back it with SQLite in production so a restart keeps the fresh refresh token).
 * Recipients whose send failed are handed to the `fallback` notifier (SMS) by the dispatcher.
 *
 * `sendTemplate` is that same path (stored token, refresh on -124/-216, the new pair kept) for a
 * template already filled: the scheduled reports send their Zalo links through it, so a monthly
 * report finds the token an alert refreshed, and refreshes it itself when it has expired.
 */
import { createHash } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { ZaloNotifier } from '../../config/schema.js';
import type { Recipient } from '../notice.js';
import { requestWithRetry, scrub, describeAnswer } from './http.js';
import { buildZaloTemplateData, langFor } from './messages.js';
import { normalizeVnPhone } from './phone.js';
import type { DeliveryResult, Notifier, NotifierDeps, ZaloTokens, ZaloTokenStore } from './types.js';

export type { ZaloTokens, ZaloTokenStore };

/** The Zalo notifier, with its one send path also open to senders that fill the template themselves. */
export interface ZaloSender extends Notifier {
  readonly type: 'zalo';
  /** One ZNS template message to `phone` (84…), through the token refresh; never throws. */
  sendTemplate(phone: string, templateData: Record<string, string>, trackingId: string): Promise<DeliveryResult>;
}

export type ZaloConfig = Static<typeof ZaloNotifier>;

/** ZNS / OA error codes meaning "this access token is not (or no longer) valid". */
export const ZALO_TOKEN_ERRORS: ReadonlySet<number> = new Set([-124, -216]);
/** ZNS "Unknown error, try again later": retried like a 5xx. */
export const ZALO_RETRYABLE_ERRORS: ReadonlySet<number> = new Set([-100]);

export function memoryTokenStore(): ZaloTokenStore {
  const m = new Map<string, ZaloTokens>();
  return { get: (n) => m.get(n), set: (n, t) => void m.set(n, t) };
}

/** The phone ZNS should use for a contact: its `zalo` field when that is a phone, else `phone`. */
export function zaloPhoneOf(r: Recipient): string | null {
  return (r.zalo ? normalizeVnPhone(r.zalo) : null) ?? (r.phone ? normalizeVnPhone(r.phone) : null);
}

export function createZalo(config: ZaloConfig, deps: NotifierDeps): ZaloSender {
  const store = deps.tokenStore ?? memoryTokenStore();
  // Stored (refreshed) tokens are used only while the configured ones are those they came from.
  const source = createHash('sha256').update(`${config.access_token}\n${config.refresh_token ?? ''}`).digest('hex').slice(0, 16);
  const tokens = (): ZaloTokens => {
    const stored = store.get(config.name);
    return stored && stored.source === source ? stored : { access_token: config.access_token, refresh_token: config.refresh_token };
  };
  const secretsNow = () => [config.app_secret, config.access_token, config.refresh_token ?? '', tokens().access_token, tokens().refresh_token ?? ''].filter(Boolean);
  const base = config.api_base.replace(/\/+$/, '');
  const oauth = config.oauth_base.replace(/\/+$/, '');
  let refreshing: Promise<{ ok: true } | { ok: false; error: string }> | null = null;

  async function refresh(): Promise<{ ok: true } | { ok: false; error: string }> {
    const rt = tokens().refresh_token;
    if (!rt) return { ok: false, error: 'access token invalid and no refresh_token configured' };
    const out = await requestWithRetry(
      {
        method: 'POST',
        url: `${oauth}/v4/oa/access_token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: config.app_secret },
        body: new URLSearchParams({ refresh_token: rt, app_id: config.app_id, grant_type: 'refresh_token' }).toString(),
      },
      {
        timeoutMs: config.timeout_ms, attempts: config.attempts, fetch: deps.fetch, clock: deps.clock,
        backoffBaseMs: deps.backoffBaseMs, maxInlineWaitMs: deps.maxInlineWaitMs, secrets: secretsNow(),
        judge: (status, json) => {
          const j = json as { access_token?: unknown; error?: unknown; error_name?: unknown; error_description?: unknown } | undefined;
          if (status < 300 && typeof j?.access_token === 'string' && j.access_token) return null;
          const why = [j?.error, j?.error_name, j?.error_description].filter((x) => x !== undefined && x !== '').join(' ');
          return { error: `token refresh refused${why ? `: ${why}` : ''}`, retryable: false };
        },
      },
    );
    if (!out.ok) {
      // Refresh tokens are single-use: another sender on the same store (the service and `report
      // send`, or a second notifier instance) may have spent this one first; then use its pair.
      if (tokens().refresh_token !== rt) return { ok: true };
      return { ok: false, error: scrub(out.error ?? 'token refresh failed', secretsNow()) };
    }
    const j = out.json as { access_token: string; refresh_token?: string; expires_in?: string | number };
    const now = (deps.clock ?? { now: () => Date.now() }).now();
    const expiresIn = Number(j.expires_in);
    store.set(config.name, {
      access_token: j.access_token,
      refresh_token: j.refresh_token ?? rt,
      expires_at: Number.isFinite(expiresIn) ? now + expiresIn * 1000 : undefined,
      source,
    });
    deps.logger?.info({ component: 'notifier', notifier: config.name }, 'zalo access token refreshed');
    return { ok: true };
  }

  function refreshOnce() {
    refreshing ??= refresh().finally(() => { refreshing = null; });
    return refreshing;
  }

  async function sendOne(phone: string, templateData: Record<string, string>, trackingId: string) {
    let tokenError = false;
    const used = tokens().access_token;
    const out = await requestWithRetry(
      {
        method: 'POST',
        url: `${base}/message/template`,
        headers: { 'content-type': 'application/json', access_token: used },
        body: JSON.stringify({ phone, template_id: config.template_id, template_data: templateData, tracking_id: trackingId }),
      },
      {
        timeoutMs: config.timeout_ms, attempts: config.attempts, fetch: deps.fetch, clock: deps.clock,
        backoffBaseMs: deps.backoffBaseMs, maxInlineWaitMs: deps.maxInlineWaitMs, secrets: secretsNow(),
        judge: (status, json, body) => {
          const j = json as { error?: unknown; message?: unknown } | undefined;
          if (status < 300 && j?.error === 0) return null;
          const code = typeof j?.error === 'number' ? j.error : undefined;
          if (code !== undefined && ZALO_TOKEN_ERRORS.has(code)) tokenError = true;
          const msg = code !== undefined ? `Zalo error ${code}${typeof j?.message === 'string' ? `: ${j.message}` : ''}` : describeAnswer(status, json, body);
          return { error: msg, retryable: code !== undefined && ZALO_RETRYABLE_ERRORS.has(code) };
        },
      },
    );
    return { out, tokenError, used };
  }

  /** Send, and on an invalid-token answer refresh (once, shared by concurrent sends) and send again. */
  async function sendRefreshing(phone: string, data: Record<string, string>, trackingId: string) {
    let { out, tokenError, used } = await sendOne(phone, data, trackingId);
    let attempts = out.attempts;
    if (!out.ok && tokenError) {
      // Another send may have refreshed meanwhile: then just use the new token.
      const ref = tokens().access_token !== used ? { ok: true as const } : await refreshOnce();
      if (ref.ok) {
        ({ out } = await sendOne(phone, data, trackingId));
        attempts += out.attempts;
      } else {
        out = { ...out, error: `${out.error}; ${ref.error}`, retryable: false };
      }
    }
    const msgId = (out.json as { data?: { msg_id?: unknown } } | undefined)?.data?.msg_id;
    const res: DeliveryResult = { channel: 'zalo', notifier: config.name, recipient: phone, ok: out.ok, status: out.status, attempts };
    if (out.ok && msgId !== undefined) res.provider_id = String(msgId);
    if (!out.ok) { res.error = scrub(out.error ?? 'failed', secretsNow()); res.retryable = out.retryable; }
    return res;
  }

  return {
    name: config.name,
    type: 'zalo',
    fallback: config.fallback,
    sendTemplate: sendRefreshing,
    async send(notice, recipients, opts) {
      const results: DeliveryResult[] = [];
      const seen = new Set<string>();
      const work: Array<{ phone: string; r: Recipient }> = [];
      for (const r of recipients) {
        if (!r.zalo && !r.phone) continue;
        const phone = zaloPhoneOf(r);
        if (!phone) {
          const raw = r.zalo ?? r.phone ?? '';
          if (!opts?.only || opts.only.includes(raw)) {
            results.push({ channel: 'zalo', notifier: config.name, recipient: raw, ok: false, retryable: false, error: 'not a Vietnamese phone number', contact: r });
          }
          continue;
        }
        if (seen.has(phone) || (opts?.only && !opts.only.includes(phone))) continue;
        seen.add(phone);
        work.push({ phone, r });
      }
      await Promise.all(work.map(async ({ phone, r }) => {
        const data = buildZaloTemplateData(notice, langFor(notice, r), config.template_params, { tz: deps.tz });
        results.push({ ...(await sendRefreshing(phone, data, notice.id)), contact: r });
      }));
      return results;
    },
  };
}
