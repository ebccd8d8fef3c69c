/**
 * The one small interface every channel implements (design.md example 7), and what a send returns.
 */
import type { Logger } from '../../core/logger.js';
import type { Clock } from '../../core/clock.js';
import type { NotifierConfig } from '../../core/types.js';
import type { Notice, Recipient } from '../notice.js';

export type NotifierType = NotifierConfig['type'];

/** One delivery attempt's outcome, per recipient (or per request for a webhook). */
export interface DeliveryResult {
  /** Channel type: webhook, email, telegram, zalo, sms. */
  channel: NotifierType;
  /** The notifier's configured name. */
  notifier: string;
  /** Where it went: an email address, a chat id, a phone number, or the webhook's name. Never a secret. */
  recipient: string;
  ok: boolean;
  /** HTTP status, or SMTP response code, when there was an answer. */
  status?: number;
  /** Why it failed, without secrets. */
  error?: string;
  /** The provider's message id (Telegram message_id, ZNS msg_id, SMTP message id, gateway id). */
  provider_id?: string;
  /** Worth retrying later (5xx, timeout, connection refused, 429, SMTP 4xx); false for 4xx answers. */
  retryable?: boolean;
  /** Requests made inside this send (retries included). */
  attempts?: number;
  /** The contact this delivery was for, when it came from the notice's recipients (drives fallback). */
  contact?: Recipient;
  /** Set on results produced by a fallback channel: the notifier that failed first. */
  fallback_for?: string;
}

export interface SendOptions {
  /** Only these `recipient` addresses (a retry of the failed ones). */
  only?: readonly string[];
  /** Skip the notifier's always-copied targets (email `to`, Telegram `chat_ids`): used for fallback. */
  recipientsOnly?: boolean;
}

export interface Notifier {
  readonly name: string;
  readonly type: NotifierType;
  /** Name of the notifier that takes over this one's failed recipients (Zalo → SMS). */
  readonly fallback?: string;
  /** Never throws for a delivery failure: every failure is a result with ok=false. */
  send(notice: Notice, recipients: Recipient[], opts?: SendOptions): Promise<DeliveryResult[]>;
  /** Release sockets (SMTP pool). */
  close?(): Promise<void>;
}

/** IO injected into every notifier (real fetch and clock in production; tests use local servers). */
export interface NotifierDeps {
  fetch?: typeof fetch;
  clock?: Clock;
  logger?: Logger;
  /** Time zone for "since" in messages (settings.reports.timezone). */
  tz?: string;
  /** Backoff between attempts inside one send: base delay, doubled each time (default 500 ms). */
  backoffBaseMs?: number;
  /** Longest wait inside one send for a 429's retry_after; a longer wait is left to the dispatcher (default 30 s). */
  maxInlineWaitMs?: number;
  /** Where Zalo keeps refreshed OA tokens (default: memory; back it with SQLite in production). */
  tokenStore?: ZaloTokenStore;
}

export interface ZaloTokens {
  access_token: string;
  refresh_token?: string;
  expires_at?: number;
  /** Fingerprint of the configured tokens these were refreshed from: new tokens in the config win over stored ones. */
  source?: string;
}

/** Where refreshed Zalo tokens live between sends and across restarts (refresh tokens are single-use). */
export interface ZaloTokenStore {
  get(notifier: string): ZaloTokens | undefined;
  set(notifier: string, tokens: ZaloTokens): void;
}

export type Factory<C extends NotifierConfig = NotifierConfig> = (config: C, deps: NotifierDeps) => Notifier;
