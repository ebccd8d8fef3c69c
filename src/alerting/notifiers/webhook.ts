/**
 * Webhook: one signed JSON POST per notice. The body is documented (and versioned) in README.md;
 * `buildWebhookBody` is pure so the document and a test can check it field by field.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { WebhookNotifier } from '../../config/schema.js';
import type { Notice } from '../notice.js';
import { buildSubject, buildText, DEFAULT_TZ } from './messages.js';
import { requestWithRetry } from './http.js';
import type { DeliveryResult, Factory } from './types.js';

export type WebhookConfig = Static<typeof WebhookNotifier>;

export const WEBHOOK_VERSION = 1;
export const SIGNATURE_HEADER = 'X-Pointwatch-Signature';
export const DELIVERY_HEADER = 'X-Pointwatch-Delivery';
export const EVENT_HEADER = 'X-Pointwatch-Event';

export interface WebhookBodyV1 {
  version: 1;
  delivery_id: string;
  sent_at: string;
  event: Notice['event'];
  kind: Notice['kind'];
  incident_id: number;
  level: Notice['level'];
  site: (NonNullable<Notice['site']> & { district: string | null }) | null;
  area: Notice['area'] & { district: string | null };
  state: Notice['state'];
  since: string;
  resolved_at: string | null;
  duration_s: number | null;
  cause: Notice['cause'] | null;
  detail: string;
  affected: Notice['affected'];
  /** Site incidents this notice speaks for (its commune group, or what a commune incident folds). */
  folded: NonNullable<Notice['folded']>;
  runbook_url: string;
  ack_url: string;
  /** Opens the incident page's outcome form (added in v1 without a version change: a new optional field). */
  outcome_url: string | null;
  recipients: Array<{ name: string; role: string | null; level: Notice['level']; lang: string | null }>;
  lang: Notice['lang'];
  title: string;
  text: string;
}

export function buildWebhookBody(notice: Notice, sentAt: number, tz: string = DEFAULT_TZ): WebhookBodyV1 {
  return {
    version: WEBHOOK_VERSION,
    delivery_id: notice.id,
    sent_at: new Date(sentAt).toISOString(),
    event: notice.event,
    kind: notice.kind,
    incident_id: notice.incident_id,
    level: notice.level,
    // `district` stays in version 1 (a field is never removed within a version): the group, or null
    site: notice.site ? { ...notice.site, district: notice.site.group ?? null } : null,
    area: { ...notice.area, district: notice.area.group ?? null },
    state: notice.state,
    since: new Date(notice.since).toISOString(),
    resolved_at: notice.resolved_at !== undefined ? new Date(notice.resolved_at).toISOString() : null,
    duration_s: notice.resolved_at !== undefined ? Math.round((notice.resolved_at - notice.since) / 1000) : null,
    cause: notice.cause ?? null,
    detail: notice.detail,
    affected: notice.affected,
    folded: notice.folded ?? [],
    runbook_url: notice.runbook_url,
    ack_url: notice.ack_url,
    outcome_url: notice.outcome_url ?? null,
    // Names and roles only: phone numbers and addresses stay inside pointwatch.
    recipients: notice.recipients.map((r) => ({ name: r.name, role: r.role ?? null, level: r.level, lang: r.lang ?? null })),
    lang: notice.lang,
    title: buildSubject(notice, notice.lang, { tz }),
    text: buildText(notice, notice.lang, { tz }),
  };
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`. */
export function signBody(rawBody: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** For receivers (and our tests): constant-time check of the signature header over the RAW body. */
export function verifySignature(rawBody: string | Buffer, secret: string, header: string | undefined | null): boolean {
  if (!header || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(signBody(rawBody, secret));
  const got = Buffer.from(header);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export const createWebhook: Factory<WebhookConfig> = (config, deps) => ({
  name: config.name,
  type: 'webhook',
  async send(notice, _recipients, opts) {
    if (opts?.only && !opts.only.includes(config.name)) return [];
    if (opts?.recipientsOnly) return [];
    const now = (deps.clock ?? { now: () => Date.now() }).now();
    const raw = JSON.stringify(buildWebhookBody(notice, now, deps.tz));
    const out = await requestWithRetry(
      {
        method: 'POST',
        url: config.url,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'pointwatch-webhook/1',
          [SIGNATURE_HEADER]: signBody(raw, config.secret),
          [DELIVERY_HEADER]: notice.id,
          [EVENT_HEADER]: notice.event,
        },
        body: raw,
      },
      {
        timeoutMs: config.timeout_ms, attempts: config.attempts, fetch: deps.fetch, clock: deps.clock,
        backoffBaseMs: deps.backoffBaseMs, maxInlineWaitMs: deps.maxInlineWaitMs, secrets: [config.secret, config.url],
      },
    );
    const r: DeliveryResult = {
      channel: 'webhook', notifier: config.name, recipient: config.name, ok: out.ok, status: out.status,
      attempts: out.attempts, retryable: out.ok ? undefined : out.retryable,
    };
    if (!out.ok) r.error = out.error;
    return [r];
  },
});
