/**
 * Telegram notifier against a local server modelled on the Bot API docs:
 * POST /bot<token>/sendMessage, JSON { chat_id, text, parse_mode: "HTML" },
 * answers { ok: true, result: { message_id } } or { ok: false, error_code, description, parameters? }.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { createTelegram, type TelegramConfig } from '../../../src/alerting/notifiers/telegram.js';
import { firingDown, hostileName } from '../../../src/alerting/notifiers/testdata/notices.js';
import { recordingClock, startRecorder, type Recorder, type Responder } from './http-recorder.js';

const TOKEN = '123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11';

function config(apiBase: string, extra: Record<string, unknown> = {}): TelegramConfig {
  return settingsWithDefaults({ notifiers: [{ type: 'telegram', name: 'tg', api_base: apiBase, bot_token: TOKEN, chat_ids: ['-1009876'], ...extra }] }).notifiers[0] as TelegramConfig;
}

/** The Bot API as documented: checks path, method, content type and body; answers like Telegram. */
const botApi: Responder = (req, n) => {
  if (req.method !== 'POST' || req.path !== `/bot${TOKEN}/sendMessage`) return { status: 404, json: { ok: false, error_code: 404, description: 'Not Found' } };
  const b = req.json as { chat_id?: unknown; text?: unknown; parse_mode?: unknown } | undefined;
  if (!b || typeof b.text !== 'string' || !b.chat_id) return { status: 400, json: { ok: false, error_code: 400, description: 'Bad Request: message text is empty' } };
  if (b.parse_mode !== 'HTML') return { status: 400, json: { ok: false, error_code: 400, description: 'Bad Request: parse_mode' } };
  // Telegram rejects unescaped markup it does not know.
  if (/<(?!\/?(b|i|u|s|code|pre|a)[\s>])/.test(b.text)) return { status: 400, json: { ok: false, error_code: 400, description: "Bad Request: can't parse entities" } };
  // reply_markup: an InlineKeyboardMarkup, rows of buttons with a text and an http(s) url.
  const m = (b as { reply_markup?: { inline_keyboard?: unknown } }).reply_markup;
  if (m !== undefined) {
    const rows = m.inline_keyboard;
    // Telegram refuses hosts without a dot (localhost) and, we assume, local addresses: BUTTON_URL_INVALID for the whole message
    const okUrl = (u: string) => /^https?:\/\/[^/:]*\.[^/:]*(:\d+)?\//.test(u) && !/^https?:\/\/(127\.|10\.|192\.168\.)/.test(u);
    const okButton = (x: unknown) => typeof (x as { text?: unknown }).text === 'string' && (x as { text: string }).text.length > 0 && okUrl(String((x as { url?: unknown }).url));
    if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r) && r.length > 0 && r.every(okButton))) {
      return { status: 400, json: { ok: false, error_code: 400, description: 'Bad Request: BUTTON_URL_INVALID' } };
    }
  }
  return { status: 200, json: { ok: true, result: { message_id: 1000 + n, chat: { id: Number(b.chat_id) }, text: b.text } } };
};

describe('telegram notifier (local Bot API)', () => {
  let srv: Recorder;
  beforeAll(async () => { srv = await startRecorder(botApi); });
  afterAll(async () => { await srv.close(); });

  it('sends HTML to the configured chats and to recipients with a chat id, each in their language', async () => {
    srv.requests.length = 0;
    srv.respond(botApi);
    const n = createTelegram(config(srv.url), { clock: recordingClock() });
    const results = await n.send(hostileName, hostileName.recipients);
    expect(results.map((r) => [r.recipient, r.ok, r.status])).toEqual([['-1009876', true, 200], ['1001', true, 200]]);
    expect(results.every((r) => /^100\d$/.test(r.provider_id ?? ''))).toBe(true);
    expect(srv.requests).toHaveLength(2);
    for (const q of srv.requests) {
      expect(q.method).toBe('POST');
      expect(q.path).toBe(`/bot${TOKEN}/sendMessage`);
      expect(q.headers['content-type']).toBe('application/json');
      expect(q.json).toMatchObject({ parse_mode: 'HTML' });
    }
    const text = (srv.requests[0]!.json as { text: string }).text;
    expect(text).toContain('Điểm &lt;b&gt;A&lt;/b&gt; &amp; &quot;B&quot;');
    expect(text).toContain(`<a href="${hostileName.runbook_url}">`);
    expect(text).toContain(`<a href="${hostileName.ack_url}">`);
  });

  it('links to a local address (the default public_url): the message goes without buttons, links in the text', async () => {
    srv.requests.length = 0;
    srv.respond(botApi);
    const local = { ...firingDown, runbook_url: 'http://127.0.0.1:8080/s/17.t0abcd.AAAAAAAAAAAAAAAAAAAAAA', ack_url: 'http://127.0.0.1:8080/s/17.t0abcd.AAAAAAAAAAAAAAAAAAAAAA/ack', outcome_url: 'http://127.0.0.1:8080/s/17.t0abcd.AAAAAAAAAAAAAAAAAAAAAA/outcome' };
    const [r] = await createTelegram(config(srv.url), { clock: recordingClock() }).send(local, []);
    expect(r).toMatchObject({ ok: true });
    const body = srv.requests[0]!.json as { reply_markup?: unknown; text: string };
    expect(body.reply_markup).toBeUndefined();
    expect(body.text).toContain(local.ack_url);
  });

  it('carries the inline buttons "Nhận xử lý" and "Đã xử lý xong", opening the signed page\'s forms', async () => {
    srv.requests.length = 0;
    srv.respond(botApi);
    const signed = { ...firingDown, runbook_url: 'https://pw.example.org/s/17.t0abcd.AAAAAAAAAAAAAAAAAAAAAA', ack_url: 'https://pw.example.org/s/17.t0abcd.AAAAAAAAAAAAAAAAAAAAAA/ack', outcome_url: 'https://pw.example.org/s/17.t0abcd.AAAAAAAAAAAAAAAAAAAAAA/outcome' };
    const n = createTelegram(config(srv.url), { clock: recordingClock() });
    const [r] = await n.send(signed, []);
    expect(r).toMatchObject({ ok: true });
    expect((srv.requests[0]!.json as { reply_markup: unknown }).reply_markup).toEqual({
      inline_keyboard: [[{ text: 'Nhận xử lý', url: signed.ack_url }, { text: 'Đã xử lý xong', url: signed.outcome_url }]],
    });
  });

  it('ok:false is a failure with Telegram\'s description, not retried', async () => {
    srv.requests.length = 0;
    srv.respond([{ status: 400, json: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } }]);
    const n = createTelegram(config(srv.url), { clock: recordingClock() });
    const [r] = await n.send(firingDown, []);
    expect(r).toMatchObject({ ok: false, status: 400, retryable: false, attempts: 1, error: 'Telegram: Bad Request: chat not found' });
    expect(srv.requests).toHaveLength(1);
  });

  it('429 honours parameters.retry_after, then delivers', async () => {
    srv.requests.length = 0;
    srv.respond((req, n) => (n === 1
      ? { status: 429, json: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } } }
      : botApi(req, n)));
    const clock = recordingClock();
    const n = createTelegram(config(srv.url), { clock, backoffBaseMs: 100 });
    const [r] = await n.send(firingDown, []);
    expect(r).toMatchObject({ ok: true, attempts: 2 });
    expect(clock.sleeps).toEqual([3000]);
  });

  it('429 with a long retry_after is left to the dispatcher (retryable), not slept inside send', async () => {
    srv.requests.length = 0;
    srv.respond([{ status: 429, json: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 120', parameters: { retry_after: 120 } } }]);
    const clock = recordingClock();
    const n = createTelegram(config(srv.url), { clock });
    const [r] = await n.send(firingDown, []);
    expect(r).toMatchObject({ ok: false, status: 429, retryable: true, attempts: 1 });
    expect(clock.sleeps).toEqual([]);
  });

  it('the bot token never appears in results, even when the server echoes the URL', async () => {
    srv.requests.length = 0;
    srv.respond((req) => ({ status: 404, json: { ok: false, error_code: 404, description: `Not Found: ${req.path}` } }));
    const n = createTelegram(config(srv.url), { clock: recordingClock() });
    const [r] = await n.send(firingDown, []);
    expect(r!.ok).toBe(false);
    expect(r!.error).toContain('[redacted]');
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });

  it('only: a retry goes to the failed chats alone', async () => {
    srv.requests.length = 0;
    srv.respond(botApi);
    const n = createTelegram(config(srv.url), { clock: recordingClock() });
    const results = await n.send(firingDown, firingDown.recipients, { only: ['1001'] });
    expect(results.map((r) => r.recipient)).toEqual(['1001']);
    expect(srv.requests.map((q) => (q.json as { chat_id: string }).chat_id)).toEqual(['1001']);
  });
});
