/**
 * One HTTP request with a timeout, retried with backoff: 5xx, timeouts and connection errors are
 * retried, 429 waits for Retry-After / Telegram's `parameters.retry_after`, other 4xx are not.
 * Errors are scrubbed of the secrets given (a bot token in the URL, an auth header value).
 */
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpOutcome {
  ok: boolean;
  status?: number;
  /** The raw response body (on any answer). */
  body?: string;
  /** JSON-decoded body when it parses. */
  json?: unknown;
  error?: string;
  retryable: boolean;
  attempts: number;
  /** Seconds the server asked us to wait (429), when it said. */
  retry_after_s?: number;
}

export interface RetryPolicy {
  timeoutMs: number;
  attempts: number;
  backoffBaseMs?: number;
  maxInlineWaitMs?: number;
  fetch?: typeof fetch;
  clock?: Clock;
  /** Values to scrub from error text. */
  secrets?: readonly string[];
  /**
   * Decide from a 2xx/4xx answer whether the provider accepted the request (Zalo answers 200
   * with `error != 0`, Telegram `ok:false`). Return an error string to fail, null to accept.
   * `retryable` marks an answer-level error worth retrying.
   */
  judge?: (status: number, json: unknown, body: string) => { error: string; retryable: boolean } | null;
}

export function scrub(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) {
      out = out.split(s).join('[redacted]');
      const enc = encodeURIComponent(s);
      if (enc !== s) out = out.split(enc).join('[redacted]');
    }
  }
  return out;
}

/** Seconds to wait from a 429: Telegram's parameters.retry_after, else the Retry-After header. */
export function retryAfterSeconds(json: unknown, header: string | null): number | undefined {
  const p = (json as { parameters?: { retry_after?: unknown } } | undefined)?.parameters?.retry_after;
  if (typeof p === 'number' && Number.isFinite(p) && p >= 0) return p;
  if (header) {
    const n = Number(header);
    if (Number.isFinite(n) && n >= 0) return n;
    const t = Date.parse(header);
    if (!Number.isNaN(t)) return Math.max(0, Math.ceil((t - Date.now()) / 1000));
  }
  return undefined;
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timeout after ${timeoutMs} ms`;
  const code = e?.cause?.code;
  if (code) return `${code}${e.cause?.message ? `: ${e.cause.message}` : ''}`;
  if (e?.cause?.message) return `${errorMessage(err)}: ${e.cause.message}`;
  return errorMessage(err);
}

export async function requestWithRetry(req: HttpRequest, policy: RetryPolicy): Promise<HttpOutcome> {
  const doFetch = policy.fetch ?? fetch;
  const clock = policy.clock ?? systemClock;
  const base = policy.backoffBaseMs ?? 500;
  const maxWait = policy.maxInlineWaitMs ?? 30_000;
  const attempts = Math.max(1, policy.attempts);
  let last: HttpOutcome = { ok: false, retryable: true, attempts: 0, error: 'not attempted' };
  for (let i = 1; i <= attempts; i++) {
    let wait = base * 2 ** (i - 1);
    try {
      const res = await doFetch(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.method === 'GET' ? undefined : req.body,
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      const body = await res.text();
      let json: unknown;
      try { json = body ? JSON.parse(body) : undefined; } catch { json = undefined; }
      if (res.status === 429) {
        const ra = retryAfterSeconds(json, res.headers.get('retry-after'));
        last = { ok: false, status: 429, body, json, error: describeAnswer(429, json, body), retryable: true, attempts: i, retry_after_s: ra };
        if (ra !== undefined) {
          if (ra * 1000 > maxWait) return scrubbed(last, policy.secrets); // too long to hold this send: the dispatcher re-queues
          wait = Math.max(ra * 1000, wait);
        }
      } else if (res.status >= 500) {
        last = { ok: false, status: res.status, body, json, error: describeAnswer(res.status, json, body), retryable: true, attempts: i };
      } else if (res.status >= 400) {
        const verdict = policy.judge?.(res.status, json, body);
        return scrubbed({ ok: false, status: res.status, body, json, error: verdict?.error ?? describeAnswer(res.status, json, body), retryable: false, attempts: i }, policy.secrets);
      } else {
        const verdict = policy.judge?.(res.status, json, body) ?? null;
        if (!verdict) return { ok: true, status: res.status, body, json, retryable: false, attempts: i };
        last = { ok: false, status: res.status, body, json, error: verdict.error, retryable: verdict.retryable, attempts: i };
        if (!verdict.retryable) return scrubbed(last, policy.secrets);
      }
    } catch (err) {
      last = { ok: false, error: describeFetchError(err, policy.timeoutMs), retryable: true, attempts: i };
    }
    if (i < attempts) await clock.sleep(wait);
  }
  return scrubbed(last, policy.secrets);
}

function scrubbed(o: HttpOutcome, secrets?: readonly string[]): HttpOutcome {
  return o.error ? { ...o, error: scrub(o.error, secrets) } : o;
}

/** A short description of an error answer: the provider's own words when it gave some. */
export function describeAnswer(status: number, json: unknown, body: string): string {
  const j = json as { description?: unknown; message?: unknown; error?: unknown } | undefined;
  const words = typeof j?.description === 'string' ? j.description : typeof j?.message === 'string' ? j.message : typeof j?.error === 'string' ? j.error : body.slice(0, 200);
  return `HTTP ${status}${words ? `: ${words}` : ''}`;
}
