import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseFping, parseFpingDetailed, summarizePing } from './parse.js';

const fixture = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

describe('parseFping on real fping captures', () => {
  const cases: Array<{ name: string; file: string; want: Record<string, Array<number | null>>; errors?: Record<string, string> }> = [
    {
      name: '0% loss on loopback, three hosts', file: 'loopback-0pct.txt',
      want: {
        '127.0.0.1': [0.069, 0.05, 0.054, 0.054, 0.053],
        '127.0.0.2': [0.266, 0.033, 0.018, 0.022, 0.043],
        '127.0.0.3': [0.274, 0.022, 0.015, 0.017, 0.022],
      },
    },
    { name: '0% loss in a namespace', file: 'netns-0pct.txt', want: { '10.250.77.2': [0.049, 0.064, 0.065, 0.061, 0.064] } },
    {
      name: '40% loss with padded host names', file: 'netns-40pct.txt',
      want: { '10.250.77.2': [0.049, 0.067, 0.057, null, null], '127.0.0.1': [0.023, 0.021, 0.023, 0.029, 0.042] },
    },
    {
      name: '100% loss', file: 'netns-100pct.txt',
      want: { '127.0.0.1': [0.04, 0.053, 0.052, 0.05, 0.055], '10.250.77.2': [null, null, null, null, null] },
    },
    { name: 'unknown host with -q: no line for it', file: 'unknown-host.txt', want: { '127.0.0.1': [0.05, 0.053, 0.053, 0.054, 0.055] } },
    {
      name: 'unknown host without -q: error line', file: 'unknown-host-noq.txt',
      want: { '127.0.0.1': [0.033, 0.053] }, errors: { 'nosuchhost.invalid': 'Name or service not known' },
    },
    { name: 'IPv6 literal', file: 'ipv6.txt', want: { '::1': [0.055, 0.05, 0.058], '127.0.0.1': [0.066, 0.023, 0.045] } },
    { name: 'host names as given', file: 'names.txt', want: { localhost: [0.049, 0.053, 0.046], '127.0.0.1': [0.04, 0.039, 0.035] } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const text = fixture(c.file);
      expect(Object.fromEntries(parseFping(text))).toEqual(c.want);
      expect(Object.fromEntries(parseFpingDetailed(text).errors)).toEqual(c.errors ?? {});
    });
  }
});

describe('summarizePing', () => {
  const T = 1_700_000_000_000;
  const cases: Array<{ name: string; rtts: Array<number | null> | undefined; want: Record<string, unknown> }> = [
    {
      name: 'all replies', rtts: [1, 3, 2, 2, 7],
      want: { status: 'ok', sent: 5, received: 5, loss_pct: 0, rtt_min_ms: 1, rtt_max_ms: 7, rtt_avg_ms: 3, jitter_ms: 2 },
    },
    {
      name: '40% loss: jitter over consecutive replies only', rtts: [10, null, 14, null, 11],
      want: { status: 'ok', sent: 5, received: 3, loss_pct: 40, rtt_min_ms: 10, rtt_max_ms: 14, rtt_avg_ms: 11.667, jitter_ms: 3.5 },
    },
    { name: 'one reply: no jitter', rtts: [null, null, 5], want: { status: 'ok', received: 1, loss_pct: 66.667, jitter_ms: null, rtt_avg_ms: 5 } },
    {
      name: '100% loss is unreachable', rtts: [null, null, null, null, null],
      want: { status: 'unreachable', reason: 'no reply to 5 pings', sent: 5, received: 0, loss_pct: 100, rtt_avg_ms: null, jitter_ms: null },
    },
    { name: 'missing line is an error', rtts: undefined, want: { status: 'error', reason: 'fping reported no result for this host', sent: 0, received: 0 } },
    { name: 'empty list is an error', rtts: [], want: { status: 'error', sent: 0 } },
  ];
  for (const c of cases) it(c.name, () => expect(summarizePing('s1', T, c.rtts)).toMatchObject({ site: 's1', ts: T, ...c.want }));

  it('uses the given reason for a missing host, and keeps the raw line', () => {
    expect(summarizePing('s', T, undefined, undefined, 'host name did not resolve').reason).toBe('host name did not resolve');
    expect(summarizePing('s', T, [1], '127.0.0.1 : 1.00').raw).toBe('127.0.0.1 : 1.00');
  });

  it('on real 40% capture', () => {
    const m = parseFping(fixture('netns-40pct.txt'));
    expect(summarizePing('x', T, m.get('10.250.77.2'))).toMatchObject({ status: 'ok', sent: 5, received: 3, loss_pct: 40 });
  });
});

describe('parseFping fuzz', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => { parseFping(s); }), { numRuns: 3000 });
  });
  it('never throws on garbled fping-like lines, and every RTT is null or a finite non-negative number', () => {
    const token = fc.oneof(fc.constant('-'), fc.float({ noNaN: false }).map(String), fc.constantFrom('0.05', '1e309', 'NaN', '-1', ':', ''));
    const line = fc.tuple(fc.constantFrom('127.0.0.1', 'host', 'a:b', '', ' '), fc.constantFrom(' : ', ':', ' :', ': '), fc.array(token, { maxLength: 12 }))
      .map(([h, sep, toks]) => `${h}${sep}${toks.join(' ')}`);
    fc.assert(
      fc.property(fc.array(fc.oneof(line, fc.string({ maxLength: 60 })), { maxLength: 20 }), (lines) => {
        for (const rtts of parseFping(lines.join('\n')).values()) {
          for (const r of rtts) expect(r === null || (Number.isFinite(r) && r >= 0)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });
  it('summarizePing never throws and keeps 0 ≤ loss ≤ 100', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: null }), { maxLength: 30 }), (rtts) => {
        const r = summarizePing('s', 0, rtts);
        expect(r.loss_pct).toBeGreaterThanOrEqual(0);
        expect(r.loss_pct).toBeLessThanOrEqual(100);
      }),
      { numRuns: 2000 },
    );
  });
});
