import { describe, expect, it } from 'vitest';
import { localDateToUtc, overlapMs, serviceWindows, tzOffsetMs, zonedTimeToUtc } from './service-hours.js';

const H = 3_600_000;

describe('time zones', () => {
  it.each([
    { name: 'Vietnam is UTC+7 all year', tz: 'Asia/Ho_Chi_Minh', t: Date.UTC(2026, 5, 1), off: 7 * H },
    { name: 'India is UTC+5:30', tz: 'Asia/Kolkata', t: Date.UTC(2026, 0, 1), off: 5.5 * H },
    { name: 'Paris in summer is UTC+2', tz: 'Europe/Paris', t: Date.UTC(2026, 6, 1), off: 2 * H },
  ])('$name', ({ tz, t, off }) => {
    expect(tzOffsetMs(t, tz)).toBe(off);
  });

  it('local 06:00 in Hanoi time is 23:00 UTC the day before', () => {
    expect(zonedTimeToUtc(2026, 3, 1, 6, 0, 'Asia/Ho_Chi_Minh')).toBe(Date.UTC(2026, 1, 28, 23, 0));
    expect(localDateToUtc('2026-03-01', 'Asia/Ho_Chi_Minh')).toBe(Date.UTC(2026, 1, 28, 17, 0));
  });

  it('an unknown time zone is an input error naming the setting', () => {
    expect(() => serviceWindows(0, H, { start: '06:00', end: '22:00' }, 'Mars/Olympus')).toThrow(/reports.timezone/);
  });
});

describe('serviceWindows', () => {
  const tz = 'Asia/Ho_Chi_Minh';
  const from = localDateToUtc('2026-03-01', tz);
  const day = 24 * H;
  it.each([
    { name: '06:00-22:00 gives 16 h a day', hours: { start: '06:00', end: '22:00' }, days: 3, perDay: 16 * H },
    { name: 'equal start and end means all day', hours: { start: '00:00', end: '00:00' }, days: 3, perDay: 24 * H },
    { name: 'a window past midnight (22:00-06:00) gives 8 h a day', hours: { start: '22:00', end: '06:00' }, days: 3, perDay: 8 * H },
    { name: 'half-hour edges', hours: { start: '07:30', end: '11:15' }, days: 2, perDay: 3.75 * H },
  ])('$name', ({ hours, days, perDay }) => {
    const w = serviceWindows(from, from + days * day, hours, tz);
    const total = w.reduce((t, x) => t + x[1] - x[0], 0);
    expect(total).toBe(days * perDay);
    for (let i = 1; i < w.length; i++) expect(w[i]![0]).toBeGreaterThan(w[i - 1]![1] - 1);
  });

  it('overlap of a 1-hour bucket straddling 06:00 local is half when the bucket starts at 05:30', () => {
    const w = serviceWindows(from, from + day, { start: '06:00', end: '22:00' }, tz);
    const b = from + 5.5 * H;
    expect(overlapMs(w, b, b + H)).toBe(H / 2);
    expect(overlapMs(w, from, from + 6 * H)).toBe(0);
    expect(overlapMs(w, from + 21 * H, from + 23 * H)).toBe(H);
  });

  it('clips the windows to the period', () => {
    const w = serviceWindows(from + 10 * H, from + 12 * H, { start: '06:00', end: '22:00' }, tz);
    expect(w).toEqual([[from + 10 * H, from + 12 * H]]);
  });
});
