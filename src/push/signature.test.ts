import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFreshness, sign, sign512, signatureMatches, signingKey } from './signature.js';

describe('signature', () => {
  it('verifies what the OpenWrt script signed with openssl under busybox (testdata/openwrt-busybox.http, token pwp_example)', () => {
    const raw = fs.readFileSync(path.join(import.meta.dirname, 'testdata', 'openwrt-busybox.http'), 'utf8');
    const [head, body] = raw.split('\r\n\r\n') as [string, string];
    const h = (n: string) => new RegExp(`^${n}: (.*)$`, 'mi').exec(head)![1]!.trim();
    const key = signingKey('pwp_example');
    expect(signatureMatches(key, h('X-Pointwatch-Timestamp'), body, h('X-Pointwatch-Signature'))).toBe(true);
    // one byte changed anywhere, or another token: refused
    expect(signatureMatches(key, h('X-Pointwatch-Timestamp'), body.replace('"uptime_s":1962.56', '"uptime_s":1962.57'), h('X-Pointwatch-Signature'))).toBe(false);
    expect(signatureMatches(key, String(Number(h('X-Pointwatch-Timestamp')) + 1), body, h('X-Pointwatch-Signature'))).toBe(false);
    expect(signatureMatches(signingKey('pwp_other'), h('X-Pointwatch-Timestamp'), body, h('X-Pointwatch-Signature'))).toBe(false);
  });
  it('the key is SHA-256 of the token as hex (what `openssl dgst -sha256` prints)', () => {
    expect(signingKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('sha512= signatures (RouterOS): HMAC-SHA512 with the same key', () => {
    const key = signingKey('pwp_x');
    const s = sign512(key, '1800000000', '{}');
    expect(s).toMatch(/^sha512=[0-9a-f]{128}$/);
    expect(signatureMatches(key, '1800000000', '{}', s)).toBe(true);
    expect(signatureMatches(key, '1800000001', '{}', s)).toBe(false);
  });
  it('a header of another length never throws', () => {
    expect(signatureMatches('k', '1', 'b', 'sha256=00')).toBe(false);
    expect(signatureMatches('k', '1', 'b', sign('k', '1', 'b'))).toBe(true);
  });
});

describe('checkFreshness', () => {
  const now = 1_800_000_000_000;
  const cases: Array<{ name: string; header: string | undefined; want: string }> = [
    { name: 'now', header: '1800000000', want: 'ok' },
    { name: '299 s old', header: '1799999701', want: 'ok' },
    { name: '301 s old', header: '1799999699', want: 'stale' },
    { name: '301 s in the future', header: '1800000301', want: 'stale' },
    { name: 'missing', header: undefined, want: 'bad_timestamp' },
    { name: 'milliseconds', header: '1800000000000', want: 'bad_timestamp' },
    { name: 'not digits', header: '18e8', want: 'bad_timestamp' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = checkFreshness(c.header, now, 300);
      expect(r.ok ? 'ok' : r.code).toBe(c.want);
    });
  }
  it('says which way the clock is off', () => {
    const r = checkFreshness('1799990000', now, 300);
    expect(!r.ok && r.message).toMatch(/10000 s old .*NTP/);
  });
});
