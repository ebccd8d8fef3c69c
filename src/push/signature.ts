/**
 * Signing push reports (pure). The router holds the site's token (shown once by
 * `pointwatch site token SITE_ID`); both sides derive the signing key from it:
 *
 *   key       = hex(SHA-256(token))                       (what the server stores: never the token)
 *   signature = hex(HMAC-SHA256(key as ASCII, "<timestamp>.<body>"))
 *   headers   X-Pointwatch-Timestamp: <unix seconds>   X-Pointwatch-Signature: sha256=<hex>
 *   (or sha512=<hex>, HMAC-SHA512 with the same key: what RouterOS can compute)
 *
 * The token itself never travels and is never stored. (The stored key is enough to sign reports
 * for that site: whoever reads the database can forge its reports, not read or change anything
 * else. Issue a new token after a leak.) The timestamp is signed, so a captured report cannot be
 * re-dated: it is refused outside max_clock_skew_s, and replays are refused by the push source
 * (source.ts): before the last accepted second, or the same signature again within it.
 */
import crypto from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-pointwatch-timestamp';
export const SIGNATURE_HEADER = 'x-pointwatch-signature';

/** The signing key a token stands for: what `openssl dgst -sha256` prints for it. */
export function signingKey(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

/** `sha256=<hex>` over `<timestamp>.<body>`. */
export function sign(key: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', key).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** `sha512=<hex>`: the same construction with SHA-512 (RouterOS scripts have SHA-512, not SHA-256). */
export function sign512(key: string, timestamp: string, body: string): string {
  return `sha512=${crypto.createHmac('sha512', key).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** Constant-time comparison of a received signature header (sha256= or sha512=) with the expected one. */
export function signatureMatches(key: string, timestamp: string, body: string, header: string): boolean {
  const want = Buffer.from(header.startsWith('sha512=') ? sign512(key, timestamp, body) : sign(key, timestamp, body));
  const got = Buffer.from(header);
  return want.length === got.length && crypto.timingSafeEqual(want, got);
}

export type Freshness =
  | { ok: true; ts: number }
  | { ok: false; code: 'bad_timestamp' | 'stale'; message: string };

/** Is a signed timestamp within max_clock_skew_s of now? (Replays: PushSource.isReplay.) */
export function checkFreshness(header: string | undefined, nowMs: number, maxSkewS: number): Freshness {
  if (header === undefined || !/^[0-9]{9,11}$/.test(header)) {
    return { ok: false, code: 'bad_timestamp', message: `${TIMESTAMP_HEADER}: unix seconds required` };
  }
  const ts = Number(header);
  const skew = ts - nowMs / 1000;
  if (Math.abs(skew) > maxSkewS) {
    return { ok: false, code: 'stale', message: `timestamp is ${Math.round(Math.abs(skew))} s ${skew < 0 ? 'old' : 'in the future'} (at most ${maxSkewS} s): check the router's clock (NTP)` };
  }
  return { ok: true, ts };
}
