import { describe, expect, it } from 'vitest';
import { epochToLocalDate, localToEpoch } from './time.js';

describe('localToEpoch', () => {
  const cases = [
    { name: 'Vietnam is UTC+7', text: '2026-11-22T09:30', tz: 'Asia/Ho_Chi_Minh', want: Date.UTC(2026, 10, 22, 2, 30) },
    { name: 'date only is local midnight', text: '2026-11-01', tz: 'Asia/Ho_Chi_Minh', want: Date.UTC(2026, 9, 31, 17, 0) },
    { name: 'UTC', text: '2026-01-01 00:00', tz: 'UTC', want: Date.UTC(2026, 0, 1) },
    { name: 'DST zone in summer', text: '2026-07-01T12:00', tz: 'Europe/Paris', want: Date.UTC(2026, 6, 1, 10, 0) },
    { name: 'malformed', text: '22/11/2026', tz: 'UTC', want: null },
    { name: 'impossible date', text: '2026-02-31', tz: 'UTC', want: null },
    { name: 'hour out of range', text: '2026-02-01T24:00', tz: 'UTC', want: null },
  ];
  it.each(cases)('$name', ({ text, tz, want }) => expect(localToEpoch(text, tz)).toBe(want));
});

describe('epochToLocalDate', () => {
  it('uses the zone, not UTC', () => {
    expect(epochToLocalDate(Date.UTC(2026, 10, 21, 18, 0), 'Asia/Ho_Chi_Minh')).toBe('2026-11-22');
    expect(epochToLocalDate(Date.UTC(2026, 10, 21, 18, 0), 'UTC')).toBe('2026-11-21');
  });
});
