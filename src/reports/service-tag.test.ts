import { describe, expect, it } from 'vitest';
import { createServiceTagger, serviceSpec, serviceTagValues } from './service-tag.js';
import { overlapMs, serviceWindows } from './service-hours.js';

const H = 3_600_000;
const MIN = 60_000;
const DAY = 24 * H;

describe('serviceTagValues', () => {
  it('name the definition they were computed with', () => {
    expect(serviceSpec({ start: '06:00', end: '22:00' }, 'Asia/Ho_Chi_Minh')).toBe('06:00-22:00 Asia/Ho_Chi_Minh');
    expect(serviceTagValues({ start: '06:00', end: '22:00' }, 'Asia/Ho_Chi_Minh')).toEqual({
      in: 'in 06:00-22:00 Asia/Ho_Chi_Minh', out: 'out 06:00-22:00 Asia/Ho_Chi_Minh',
    });
  });
});

describe('createServiceTagger', () => {
  // Expectations written out by hand from the local clock (UTC+7 in Vietnam, UTC+5:30 in India).
  const vn = createServiceTagger({ start: '06:00', end: '22:00' }, 'Asia/Ho_Chi_Minh');
  const { in: IN, out: OUT } = serviceTagValues({ start: '06:00', end: '22:00' }, 'Asia/Ho_Chi_Minh');
  it.each([
    { name: '05:59:59 local (22:59:59 UTC) is out', t: Date.UTC(2026, 9, 9, 22, 59, 59), want: OUT },
    { name: '06:00 local (23:00 UTC the day before) is in', t: Date.UTC(2026, 9, 9, 23, 0), want: IN },
    { name: 'noon local is in', t: Date.UTC(2026, 9, 10, 5, 0), want: IN },
    { name: '21:59:59.999 local is in', t: Date.UTC(2026, 9, 10, 14, 59, 59, 999), want: IN },
    { name: '22:00 local is out', t: Date.UTC(2026, 9, 10, 15, 0), want: OUT },
    { name: 'midnight local is out', t: Date.UTC(2026, 9, 10, 17, 0), want: OUT },
    { name: 'a year later (windows reloaded) still right', t: Date.UTC(2027, 9, 10, 5, 0), want: IN },
    { name: 'back in 2020 (going backwards)', t: Date.UTC(2020, 0, 1, 16, 0), want: OUT },
  ])('$name', ({ t, want }) => {
    expect(vn(t)).toBe(want);
  });

  it.each([
    { name: 'India 06:00 local = 00:30 UTC (half-hour zone)', tz: 'Asia/Kolkata', hours: { start: '06:00', end: '22:00' }, t: Date.UTC(2026, 0, 5, 0, 30), want: 'in' },
    { name: 'India 05:59 local is out', tz: 'Asia/Kolkata', hours: { start: '06:00', end: '22:00' }, t: Date.UTC(2026, 0, 5, 0, 29), want: 'out' },
    { name: 'night service 22:00-06:00: 23:00 local is in', tz: 'Asia/Ho_Chi_Minh', hours: { start: '22:00', end: '06:00' }, t: Date.UTC(2026, 0, 5, 16, 0), want: 'in' },
    { name: 'night service 22:00-06:00: noon local is out', tz: 'Asia/Ho_Chi_Minh', hours: { start: '22:00', end: '06:00' }, t: Date.UTC(2026, 0, 5, 5, 0), want: 'out' },
    { name: 'all day (00:00-00:00): always in', tz: 'Asia/Ho_Chi_Minh', hours: { start: '00:00', end: '00:00' }, t: Date.UTC(2026, 0, 5, 20, 0), want: 'in' },
    { name: 'Paris after the March DST change: 06:00 CEST = 04:00 UTC is in', tz: 'Europe/Paris', hours: { start: '06:00', end: '22:00' }, t: Date.UTC(2026, 2, 30, 4, 0), want: 'in' },
    { name: 'Paris before it: 04:00 UTC = 05:00 CET is out', tz: 'Europe/Paris', hours: { start: '06:00', end: '22:00' }, t: Date.UTC(2026, 2, 27, 4, 0), want: 'out' },
  ])('$name', ({ tz, hours, t, want }) => {
    expect(createServiceTagger(hours, tz)(t).split(' ')[0]).toBe(want);
  });

  it('agrees with serviceWindows at every minute of 10 days, in order and shuffled', () => {
    const hours = { start: '06:30', end: '21:45' };
    const tz = 'Europe/Paris';
    const from = Date.UTC(2026, 9, 20); // over the October DST change
    const windows = serviceWindows(from - DAY, from + 11 * DAY, hours, tz);
    const ts = Array.from({ length: 10 * 24 * 60 }, (_, i) => from + i * MIN + (i % 7) * 1000);
    const shuffled = [...ts].sort((a, b) => ((a * 2654435761) % 1000) - ((b * 2654435761) % 1000));
    const tagger = createServiceTagger(hours, tz);
    let ins = 0;
    for (const list of [ts, shuffled]) {
      for (const t of list) {
        const want = overlapMs(windows, t, t + 1) > 0 ? 'in' : 'out';
        const got = tagger(t).split(' ')[0];
        if (got !== want) throw new Error(`${new Date(t).toISOString()}: ${got} != ${want}`);
        if (got === 'in') ins++;
      }
    }
    // 15 h 15 min a day
    expect(ins).toBe(2 * 10 * (15 * 60 + 15));
  });

  it('refuses a bad time zone naming the setting', () => {
    expect(() => createServiceTagger({ start: '06:00', end: '22:00' }, 'Mars/Olympus')).toThrow(/reports.timezone/);
  });
});
