/**
 * Telegram bot: `POST {api_base}/bot<token>/sendMessage` with `{ chat_id, text, parse_mode: 'HTML', reply_markup }`
 * to the configured chat ids and to every recipient with a telegram_chat_id, each in its language.
 * `ok: false` is a failure with Telegram's description; 429 waits `parameters.retry_after`.
 */
import type { Static } from '@sinclair/typebox';
import type { TelegramNotifier } from '../../config/schema.js';
import type { Lang } from '../../core/types.js';
import type { Notice, Recipient } from '../notice.js';
import { buildTelegramHtml, langFor } from './messages.js';
import { requestWithRetry } from './http.js';
import type { DeliveryResult, Factory } from './types.js';

export type TelegramConfig = Static<typeof TelegramNotifier>;

export function telegramUrl(apiBase: string, token: string, method: string): string {
  return `${apiBase.replace(/\/+$/, '')}/bot${token}/${method}`;
}

interface Target { chat_id: string; lang: Lang; contact?: Recipient }

const BUTTONS: Record<Lang, { ack: string; outcome: string }> = {
  vi: { ack: 'Nhận xử lý', outcome: 'Đã xử lý xong' },
  en: { ack: 'Take it on', outcome: 'Done: record outcome' },
};

/**
 * Inline keyboard under the message: url buttons opening the incident's signed page at its
 * acknowledge and outcome forms (a GET never acts: the page asks for one tap to confirm).
 */
export function telegramKeyboard(notice: Pick<Notice, 'ack_url' | 'outcome_url'>, lang: Lang): { inline_keyboard: Array<Array<{ text: string; url: string }>> } | undefined {
  // Telegram refuses the WHOLE message when a button points where it cannot go (localhost, private
  // addresses): then the links stay in the text only.
  if (!reachableUrl(notice.ack_url)) return undefined;
  const row = [{ text: BUTTONS[lang].ack, url: notice.ack_url }];
  if (notice.outcome_url && reachableUrl(notice.outcome_url)) row.push({ text: BUTTONS[lang].outcome, url: notice.outcome_url });
  return { inline_keyboard: [row] };
}

/** An http(s) URL on a public host name or address (not localhost, loopback, private or link-local). */
export function reachableUrl(url: string): boolean {
  let u: URL;
  try { u = new URL(url); } catch { return false; }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return false;
  const h = u.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local') || !h.includes('.') && !h.includes(':')) return false;
  if (/^(127|10|0)\./.test(h) || /^192\.168\./.test(h) || /^169\.254\./.test(h) || /^172\.(1[6-9]|2[0-9]|3[01])\./.test(h)) return false;
  if (h === '::1' || /^f[cd][0-9a-f]{2}:/.test(h) || /^fe80:/.test(h)) return false;
  return true;
}

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
    const keyboard = (lang: Lang) => telegramKeyboard(notice, lang);
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
            ...(keyboard(t.lang) ? { reply_markup: keyboard(t.lang) } : {}),
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
