/**
 * Email over SMTP with nodemailer: one message per address (the configured `to` list in the
 * notice's language, plus every recipient with an email in theirs), text and HTML parts.
 * SMTP 4xx and connection errors are retried with backoff; 5xx (and bad login) are not.
 */
import nodemailer from 'nodemailer';
import type { Static } from '@sinclair/typebox';
import type { EmailNotifier } from '../../config/schema.js';
import { systemClock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Lang } from '../../core/types.js';
import type { Recipient } from '../notice.js';
import { scrub } from './http.js';
import { buildEmail, langFor } from './messages.js';
import type { DeliveryResult, Factory } from './types.js';

export type EmailConfig = Static<typeof EmailNotifier>;

interface Target { address: string; lang: Lang; contact?: Recipient }

/** Whether an SMTP send error is worth retrying: 4xx replies and connection trouble are; 5xx and auth are not. */
export function smtpRetryable(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string };
  if (typeof e?.responseCode === 'number') return e.responseCode >= 400 && e.responseCode < 500;
  if (e?.code === 'EAUTH' || e?.code === 'EENVELOPE' || e?.code === 'EMESSAGE') return false;
  return true;
}

export const createEmail: Factory<EmailConfig> = (config, deps) => {
  const clock = deps.clock ?? systemClock;
  const secrets = [config.password ?? ''].filter(Boolean);
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    auth: config.user ? { user: config.user, pass: config.password ?? '' } : undefined,
    connectionTimeout: config.timeout_ms,
    greetingTimeout: config.timeout_ms,
    socketTimeout: config.timeout_ms,
  });

  async function deliver(notice: Parameters<ReturnType<Factory>['send']>[0], t: Target): Promise<DeliveryResult> {
    const msg = buildEmail(notice, t.lang, { tz: deps.tz });
    let attempts = 0;
    let last: DeliveryResult = { channel: 'email', notifier: config.name, recipient: t.address, ok: false };
    for (let i = 1; i <= config.attempts; i++) {
      attempts = i;
      try {
        const info = await transport.sendMail({
          from: config.from,
          to: t.address,
          subject: msg.subject,
          text: msg.text,
          html: msg.html,
          headers: { 'X-Pointwatch-Delivery': notice.id, 'X-Pointwatch-Event': notice.event },
        });
        last = { channel: 'email', notifier: config.name, recipient: t.address, ok: true, status: 250, provider_id: info.messageId, attempts };
        break;
      } catch (err) {
        const e = err as { responseCode?: number; code?: string };
        const retryable = smtpRetryable(err);
        last = {
          channel: 'email', notifier: config.name, recipient: t.address, ok: false, attempts, retryable,
          error: scrub(`${e.code ? `${e.code}: ` : ''}${errorMessage(err)}`, secrets).slice(0, 300),
        };
        if (typeof e.responseCode === 'number') last.status = e.responseCode;
        if (!retryable) break;
        if (i < config.attempts) await clock.sleep((deps.backoffBaseMs ?? 500) * 2 ** (i - 1));
      }
    }
    if (t.contact) last.contact = t.contact;
    return last;
  }

  return {
    name: config.name,
    type: 'email',
    fallback: config.fallback,
    async send(notice, recipients, opts) {
      const targets = new Map<string, Target>();
      if (!opts?.recipientsOnly) for (const a of config.to) targets.set(a.toLowerCase(), { address: a, lang: notice.lang });
      for (const r of recipients) {
        if (r.email && !targets.has(r.email.toLowerCase())) targets.set(r.email.toLowerCase(), { address: r.email, lang: langFor(notice, r), contact: r });
      }
      const list = [...targets.values()].filter((t) => !opts?.only || opts.only.includes(t.address));
      return Promise.all(list.map((t) => deliver(notice, t)));
    },
    async close() {
      transport.close();
    },
  };
};
