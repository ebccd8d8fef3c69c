import { describe, expect, it } from 'vitest';
import { incidentLinks, linkKey, signIncidentLink, verifyIncidentLink, type LinkSubject } from './links.js';

const KEY = linkKey('server-secret-0123456789abcdef0123456789');
const OTHER_KEY = linkKey('another-secret-0123456789abcdef012345678');
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const DAY = 86_400_000;
const INC: LinkSubject = { id: 17, opened_at: NOW - 3_600_000 };
const DB = new Map<number, LinkSubject>([[17, INC], [18, { id: 18, opened_at: NOW - 60_000 }]]);
const lookup = (id: number) => DB.get(id) ?? null;
const good = signIncidentLink(KEY, INC, NOW + 7 * DAY);

/** Flip one character of the signature part. */
function tamperSig(t: string): string {
  const last = t.at(-1) === 'A' ? 'B' : 'A';
  return t.slice(0, -1) + last;
}

describe('incident links', () => {
  const cases: Array<{ name: string; token: string; now?: number; lookup?: (id: number) => LinkSubject | null; want: ReturnType<typeof verifyIncidentLink> }> = [
    { name: 'a fresh link opens its incident', token: good, want: { ok: true, incident: 17, expires_at: Math.floor((NOW + 7 * DAY) / 1000) * 1000 } },
    { name: 'one second before expiry still opens', token: good, now: NOW + 7 * DAY - 1000, want: { ok: true, incident: 17, expires_at: NOW + 7 * DAY } },
    { name: 'at the expiry it is expired', token: good, now: NOW + 7 * DAY, want: { ok: false, reason: 'expired', incident: 17 } },
    { name: 'a tampered signature is refused', token: tamperSig(good), want: { ok: false, reason: 'bad_signature' } },
    { name: 'another incident id with the same signature is refused', token: good.replace(/^17\./, '18.'), want: { ok: false, reason: 'bad_signature' } },
    { name: 'a later expiry with the same signature is refused', token: good.replace(/\.[0-9a-z]+\./, `.${Math.floor((NOW + 70 * DAY) / 1000).toString(36)}.`), want: { ok: false, reason: 'bad_signature' } },
    { name: 'a link signed with another secret is refused', token: signIncidentLink(OTHER_KEY, INC, NOW + DAY), want: { ok: false, reason: 'bad_signature' } },
    { name: 'an expired forged link says bad signature, not expired', token: tamperSig(signIncidentLink(KEY, INC, NOW - DAY)), want: { ok: false, reason: 'bad_signature' } },
    { name: 'the incident deleted: revoked', token: good, lookup: () => null, want: { ok: false, reason: 'revoked', incident: 17 } },
    {
      name: 'the same id reused by a new database (other opened_at): refused',
      token: good, lookup: (id) => ({ id, opened_at: NOW }), want: { ok: false, reason: 'bad_signature' },
    },
    { name: 'empty', token: '', want: { ok: false, reason: 'malformed' } },
    { name: 'id zero', token: good.replace(/^17\./, '0.'), want: { ok: false, reason: 'malformed' } },
    { name: 'path characters', token: `../${good}`, want: { ok: false, reason: 'malformed' } },
    { name: 'signature too short', token: good.slice(0, -1), want: { ok: false, reason: 'malformed' } },
    { name: 'huge id', token: good.replace(/^17\./, '99999999999.'), want: { ok: false, reason: 'malformed' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(verifyIncidentLink(KEY, c.token, c.now ?? NOW, c.lookup ?? lookup)).toEqual(c.want);
    });
  }

  it('tokens are short enough for an SMS and URL-safe', () => {
    expect(good).toMatch(/^17\.[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
    expect(good.length).toBeLessThanOrEqual(40);
  });

  it('links: signed ones go to /s/<token>, plain ones to the incident page', () => {
    const signed = incidentLinks('https://pw.example.vn/', INC, { key: KEY, expiresAt: NOW + DAY });
    expect(signed.runbook_url).toMatch(/^https:\/\/pw\.example\.vn\/s\/17\.[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
    expect(signed.ack_url).toBe(`${signed.runbook_url}/ack`);
    expect(signed.outcome_url).toBe(`${signed.runbook_url}/outcome`);
    const token = signed.runbook_url.split('/s/')[1]!;
    expect(verifyIncidentLink(KEY, token, NOW, lookup)).toMatchObject({ ok: true, incident: 17 });
    expect(incidentLinks('https://pw.example.vn', INC, null)).toEqual({
      runbook_url: 'https://pw.example.vn/incidents/17', ack_url: 'https://pw.example.vn/incidents/17/ack', outcome_url: 'https://pw.example.vn/incidents/17/outcome',
    });
  });
});
