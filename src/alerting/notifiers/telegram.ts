/**
 * Telegram bot: `POST {api_base}/bot<token>/sendMessage` with `{ chat_id, text, parse_mode: 'HTML' }`
 * to the configured chat ids and to every recipient with a telegram_chat_id, each in its language.
 * `ok: false` is a failure with Telegram's description; 429 waits `parameters.retry_after`.
 */
import type { Static } from '@sinclair/typebox';
import type { TelegramNotifier } from '../../config/schema.js';
import type { Lang } from '../../core/types.js';
import type { Recipient } from '../notice.js';
import { buildTelegramHtml, langFor } from './messages.js';
import { requestWithRetry } from './http.js';
import type { DeliveryResult, Factory } from './types.js';

export type TelegramConfig = Static<typeof TelegramNotifier>;

export function telegramUrl(apiBase: string, token: string, method: string): string {
  return `${apiBase.replace(/\/+$/, '')}/bot${token}/${method}`;
}

interface Target { chat_id: string; lang: Lang; contact?: Recipient }

export const createTelegram: Factory<TelegramConfig> = (config, deps) => ({
  name: config.name,
  type: 'telegram',
  fallback: config.fallback,
  async send(notice, recipients, opts) {
    const targets = new Map<string, Target>();
    if (!opts?.recipientsOnly) for (const id of config.chat_ids) targets.set(id, { chat_id: id, lang: notice.lang });
    for (const r of recipients) {
      if (r.telegram_chat_id && !targets.has(r.telegram_chat_id)) targets.set(r.telegram_chat_id, { chat_id: r.telegram_chat_id, lang: langFor(notice, r), contact: r });
    }
    const list = [...targets.values()].filter((t) => !opts?.only || opts.only.includes(t.chat_id));
    return Promise.all(list.map(async (t): Promise<DeliveryResult> => {
      const out = await requestWithRetry(
        {
          method: 'POST',
          url: telegramUrl(config.api_base, config.bot_token, 'sendMessage'),
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            chat_id: t.chat_id,
            text: buildTelegramHtml(notice, t.lang, { tz: deps.tz }),
            parse_mode: 'HTML',
            link_preview_options: { is_disabled: true },
          }),
        },
        {
          timeoutMs: config.timeout_ms, attempts: config.attempts, fetch: deps.fetch, clock: deps.clock,
          backoffBaseMs: deps.backoffBaseMs, maxInlineWaitMs: deps.maxInlineWaitMs, secrets: [config.bot_token],
          judge: (_status, json) => {
            const j = json as { ok?: unknown; description?: unknown } | undefined;
            if (j?.ok === true) return null;
            return { error: `Telegram: ${typeof j?.description === 'string' ? j.description : 'ok is not true'}`, retryable: false };
          },
        },
      );
      const msgId = (out.json as { result?: { message_id?: unknown } } | undefined)?.result?.message_id;
      const r: DeliveryResult = {
        channel: 'telegram', notifier: config.name, recipient: t.chat_id, ok: out.ok, status: out.status, attempts: out.attempts,
      };
      if (t.contact) r.contact = t.contact;
      if (out.ok && msgId !== undefined) r.provider_id = String(msgId);
      if (!out.ok) { r.error = out.error; r.retryable = out.retryable; }
      return r;
    }));
  },
});
