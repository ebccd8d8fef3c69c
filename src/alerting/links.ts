/**
 * Signed, expiring, single-incident links: what a notice carries so a trainee can open that one
 * incident's runbook, acknowledge it, tick its steps and write its outcome from a phone without
 * signing in. Pure (node:crypto only).
 *
 *   token = `<incident id>.<expiry, epoch seconds in base 36>.<HMAC-SHA256, first 16 bytes, base64url>`
 *   HMAC key = HMAC-SHA256(server secret, "pointwatch incident link v1")  (never the cookie key itself)
 *   signed text = `v1|<incident id>|<incident opened_at ms>|<expiry s>`
 *
 * The incident's `opened_at` is signed too but not carried: a link whose incident was deleted (or
 * belongs to an older database whose ids were reused) no longer verifies: it is revoked.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const LINK_PATH = '/s';
/** Who a record made through a signed link is by: `Minh (signed link)`, or this alone (language-neutral in SQLite and the audit log; pages translate it). */
export const LINK_ACTOR = 'signed link';
const TOKEN = /^([1-9][0-9]{0,9})\.([0-9a-z]{1,9})\.([A-Za-z0-9_-]{22})$/;

export interface LinkSubject {
  id: number;
  opened_at: number;
}

export type LinkCheck =
  | { ok: true; incident: number; expires_at: number }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'revoked'; incident?: number };

/** The HMAC key for links, derived from the server secret (domain-separated from cookie signatures). */
export function linkKey(serverSecret: string): Buffer {
  return createHmac('sha256', serverSecret).update('pointwatch incident link v1').digest();
}

function mac(key: Buffer, id: number, openedAt: number, expS: number): string {
  return createHmac('sha256', key).update(`v1|${id}|${openedAt}|${expS}`).digest().subarray(0, 16).toString('base64url');
}

/** A token for `incident`, valid until `expiresAt` (epoch ms, rounded down to the second). */
export function signIncidentLink(key: Buffer, incident: LinkSubject, expiresAt: number): string {
  const expS = Math.floor(expiresAt / 1000);
  return `${incident.id}.${expS.toString(36)}.${mac(key, incident.id, incident.opened_at, expS)}`;
}

/**
 * Check a token at `now`. `lookup(id)` answers the incident as stored now (null when it is gone).
 * The signature is checked before the expiry, so a forged token never learns whether it expired.
 */
export function verifyIncidentLink(key: Buffer, token: string, now: number, lookup: (id: number) => LinkSubject | null): LinkCheck {
  const m = TOKEN.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const id = Number(m[1]);
  const expS = parseInt(m[2]!, 36);
  if (!Number.isSafeInteger(id) || id > 2_147_483_647) return { ok: false, reason: 'malformed' };
  const subject = lookup(id);
  // No incident: compute a MAC anyway so "deleted" and "forged" cost the same time.
  const want = mac(key, id, subject?.opened_at ?? -1, expS);
  const same = timingSafeEqual(Buffer.from(want), Buffer.from(m[3]!));
  if (!subject) return { ok: false, reason: 'revoked', incident: id };
  if (!same) return { ok: false, reason: 'bad_signature' };
  if (expS * 1000 <= now) return { ok: false, reason: 'expired', incident: id };
  return { ok: true, incident: id, expires_at: expS * 1000 };
}

export interface IncidentLinks {
  /** The runbook page of the incident (facts, acknowledge, steps, outcome). */
  runbook_url: string;
  /** Opens the acknowledge form (a GET never acknowledges). */
  ack_url: string;
  /** Opens the outcome form. */
  outcome_url: string;
}

/** The links a notice carries: signed when a key is given, else the plain pages (login needed). */
export function incidentLinks(publicUrl: string, incident: LinkSubject, signing: { key: Buffer; expiresAt: number } | null): IncidentLinks {
  const base = publicUrl.replace(/\/+$/, '');
  const page = signing ? `${base}${LINK_PATH}/${signIncidentLink(signing.key, incident, signing.expiresAt)}` : `${base}/incidents/${incident.id}`;
  return { runbook_url: page, ack_url: `${page}/ack`, outcome_url: `${page}/outcome` };
}
