import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { basePeriod, cronPattern, dueKinds, intervalProblems, isCronInterval } from './plan.js';

describe('isCronInterval', () => {
  const good = [5, 6, 10, 12, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600];
  const bad = [0, 7, 45, 70, 90, 100, 150, 420, 7200, 2.5];
  for (const s of good) it(`${s} s ticks evenly`, () => expect(isCronInterval(s)).toBe(true));
  for (const s of bad) it(`${s} s does not`, () => expect(isCronInterval(s)).toBe(false));
});

describe('basePeriod / cronPattern', () => {
  const cases = [
    { name: 'defaults 30/60/60', iv: { ping: 30, system: 60, interfaces: 60 }, base: 30, pattern: '*/30 * * * * *' },
    { name: 'ping 20, interfaces 300', iv: { ping: 20, system: 60, interfaces: 300 }, base: 20, pattern: '*/20 * * * * *' },
    { name: 'all one minute', iv: { ping: 60, system: 60, interfaces: 60 }, base: 60, pattern: '0 * * * * *' },
    { name: 'minutes only', iv: { ping: 300, system: 600, interfaces: 900 }, base: 300, pattern: '0 */5 * * * *' },
    { name: 'hourly', iv: { ping: 3600, system: 3600, interfaces: 3600 }, base: 3600, pattern: '0 0 * * * *' },
    { name: 'gcd below every interval', iv: { ping: 12, system: 20, interfaces: 30 }, base: 2, pattern: '*/2 * * * * *' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(basePeriod(c.iv)).toBe(c.base);
      expect(cronPattern(c.base)).toBe(c.pattern);
    });
  }

  it('an interval node-cron would accept but fire unevenly (*/70) is an InputError naming the field', () => {
    expect(() => basePeriod({ ping: 70, system: 60, interfaces: 60 })).toThrow(InputError);
    expect(intervalProblems({ ping: 70, system: 45, interfaces: 60 })).toEqual([
      expect.stringContaining('poller.ping.interval_s: 70 s cannot be scheduled evenly'),
      expect.stringContaining('poller.snmp.system_interval_s: 45 s'),
    ]);
  });
});

describe('dueKinds', () => {
  const iv = { ping: 30, system: 60, interfaces: 300 };
  const at = (s: number) => Date.UTC(2026, 0, 1, 0, 0, 0) + s * 1000;
  const cases = [
    { name: 'top of the 5 minutes: everything', t: at(0), want: { ping: true, system: true, interfaces: true } },
    { name: 'half minute: ping only', t: at(30), want: { ping: true, system: false, interfaces: false } },
    { name: 'a minute: ping and system', t: at(60), want: { ping: true, system: true, interfaces: false } },
    { name: 'a late tick rounds to its slot', t: at(60) + 900, want: { ping: true, system: true, interfaces: false } },
    { name: '5 minutes', t: at(300), want: { ping: true, system: true, interfaces: true } },
  ];
  for (const c of cases) it(c.name, () => expect(dueKinds(c.t, iv, 30)).toEqual(c.want));
});
