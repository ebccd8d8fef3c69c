/**
 * SMS over an HTTP gateway. There is no standard, so the request is configured:
 *   method (POST|GET), url template, auth header + value, JSON body template.
 * Placeholders: {phone} {text} {id} {unicode}: URL-encoded in the URL, JSON-escaped in the body
 * ({unicode} is `true`/`false`, for gateways that want to know about UCS-2).
 * Default body for a generic JSON gateway: {"to":"{phone}","text":"{text}","ref":"{id}"}.
 * Any 2xx answer is success; the gateway's `id`/`message_id`/`messageId` is kept as provider id.
 */
import type { Static } from '@sinclair/typebox';
import type { SmsNotifier } from '../../config/schema.js';
import type { Recipient } from '../notice.js';
import { requestWithRetry } from './http.js';
import { buildSms, langFor } from './messages.js';
import { formatPhone, normalizeVnPhone } from './phone.js';
import type { DeliveryResult, Factory } from './types.js';

export type SmsConfig = Static<typeof SmsNotifier>;

export const DEFAULT_SMS_BODY = '{"to":"{phone}","text":"{text}","ref":"{id}"}';

export interface SmsVars { phone: string; text: string; id: string; unicode: boolean }

const jsonEscape = (s: string) => JSON.stringify(s).slice(1, -1);

/** Fill a URL template (values URL-encoded). */
export function fillUrl(template: string, v: SmsVars): string {
  return template.replace(/\{(phone|text|id|unicode)\}/g, (_m, k: keyof SmsVars) => encodeURIComponent(String(v[k])));
}

/** Fill a JSON body template (values JSON-escaped, so a quote in the text cannot break the JSON). */
export function fillBody(template: string, v: SmsVars): string {
  return template.replace(/\{(phone|text|id|unicode)\}/g, (_m, k: keyof SmsVars) => (k === 'unicode' ? String(v.unicode) : jsonEscape(String(v[k]))));
}

export const createSms: Factory<SmsConfig> = (config, deps) => {
  const secrets = [config.auth_value ?? ''].filter(Boolean);

  async function request(v: SmsVars) {
    const headers: Record<string, string> = {};
    if (config.auth_value) headers[config.auth_header ?? 'Authorization'] = config.auth_value;
    let body: string | undefined;
    if (config.method === 'POST') {
      headers['content-type'] = 'application/json; charset=utf-8';
      body = fillBody(config.body_template ?? DEFAULT_SMS_BODY, v);
    }
    return requestWithRetry(
      { method: config.method, url: fillUrl(config.url, v), headers, body },
      {
        timeoutMs: config.timeout_ms, attempts: config.attempts, fetch: deps.fetch, clock: deps.clock,
        backoffBaseMs: deps.backoffBaseMs, maxInlineWaitMs: deps.maxInlineWaitMs, secrets,
      },
    );
  }

  return {
    name: config.name,
    type: 'sms',
    async send(notice, recipients, opts) {
      const results: DeliveryResult[] = [];
      const seen = new Set<string>();
      const work: Array<{ phone: string; r: Recipient }> = [];
      for (const r of recipients) {
        if (!r.phone) continue;
        const intl = normalizeVnPhone(r.phone);
        if (!intl) {
          if (!opts?.only || opts.only.includes(r.phone)) {
            results.push({ channel: 'sms', notifier: config.name, recipient: r.phone, ok: false, retryable: false, error: 'not a Vietnamese phone number', contact: r });
          }
          continue;
        }
        const phone = formatPhone(intl, config.phone_format);
        if (seen.has(phone) || (opts?.only && !opts.only.includes(phone))) continue;
        seen.add(phone);
        work.push({ phone, r });
      }
      await Promise.all(work.map(async ({ phone, r }) => {
        const sms = buildSms(notice, langFor(notice, r), { maxParts: config.max_parts, encoding: config.encoding, tz: deps.tz });
        const texts = config.split ? sms.parts : [sms.text];
        let attempts = 0;
        let last: Awaited<ReturnType<typeof request>> | undefined;
        const ids: string[] = [];
        for (const [i, text] of texts.entries()) {
          last = await request({ phone, text, id: texts.length > 1 ? `${notice.id}.${i + 1}` : notice.id, unicode: sms.encoding === 'UCS-2' });
          attempts += last.attempts;
          if (!last.ok) break;
          const j = last.json as { id?: unknown; message_id?: unknown; messageId?: unknown } | undefined;
          const pid = j?.id ?? j?.message_id ?? j?.messageId;
          if (pid !== undefined) ids.push(String(pid));
        }
        const res: DeliveryResult = { channel: 'sms', notifier: config.name, recipient: phone, ok: !!last?.ok, status: last?.status, attempts, contact: r };
        if (ids.length) res.provider_id = ids.join(',');
        if (!last?.ok) { res.error = last?.error ?? 'failed'; res.retryable = last?.retryable ?? true; }
        results.push(res);
      }));
      return results;
    },
  };
};
