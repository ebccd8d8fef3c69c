import { describe, expect, it } from 'vitest';
import { bucketing, chooseResolution, statements } from './statements.js';

const H = 3_600_000;
const DAY = 24 * H;
const FROM = Date.UTC(2026, 8, 30, 17); // 2026-10-01 00:00 in Vietnam

describe('bucketing: the longest bucket on which every service-hour edge falls', () => {
  it.each([
    { name: 'Vietnam 06:00-22:00 on 1-hour rollups: 8 h from 06:00 local (23:00 UTC)', tz: 'Asia/Ho_Chi_Minh', hours: ['06:00', '22:00'], res: 'rollup_1h' as const, every: 8 * H, offset: 7 * H },
    { name: 'Vietnam 07:00-19:00: 12 h', tz: 'Asia/Ho_Chi_Minh', hours: ['07:00', '19:00'], res: 'rollup_1h' as const, every: 12 * H, offset: 0 },
    { name: 'half-hour edge on 1-hour rollups: plain 1 h buckets (weighted pro rata)', tz: 'Asia/Ho_Chi_Minh', hours: ['06:30', '22:00'], res: 'rollup_1h' as const, every: H, offset: 0 },
    { name: 'half-hour edge on 5-minute rollups: 30 min', tz: 'Asia/Ho_Chi_Minh', hours: ['06:30', '22:00'], res: 'rollup_5m' as const, every: 30 * 60_000, offset: (23.5 * H) % (30 * 60_000) },
    { name: 'all day: one bucket a day', tz: 'Asia/Ho_Chi_Minh', hours: ['00:00', '00:00'], res: 'rollup_1h' as const, every: DAY, offset: 0 },
    { name: 'a DST zone over the March change: 1 h', tz: 'Europe/Paris', hours: ['06:00', '22:00'], res: 'rollup_1h' as const, every: H, offset: 0, from: Date.UTC(2026, 2, 1), to: Date.UTC(2026, 3, 30) },
  ])('$name', ({ tz, hours, res, every, offset, from, to }) => {
    const b = bucketing(from ?? FROM, to ?? FROM + 31 * DAY, { start: hours[0]!, end: hours[1]! }, tz, res);
    expect(b).toEqual({ everyMs: every, offsetMs: offset });
  });
});

describe('statements', () => {
  const p = {
    from: FROM, to: FROM + 365 * DAY, database: 'pw', resolution: 'rollup_1h' as const,
    serviceHours: { start: '06:00', end: '22:00' }, timezone: 'Asia/Ho_Chi_Minh', droppedOffDays: 7,
    rawInterfaceIntervalS: 60, scope: { province: "Lào Cai' OR 1=1" },
  };
  const st = statements(p);
  it('a year is a dozen statement pairs, cut at bucket boundaries, covering the period exactly', () => {
    expect(st.ranges.length).toBeGreaterThanOrEqual(12);
    expect(st.ranges.length).toBeLessThanOrEqual(13);
    expect(st.ranges[0]![0]).toBe(p.from);
    expect(st.ranges.at(-1)![1]).toBe(p.to);
    for (let i = 1; i < st.ranges.length; i++) {
      expect(st.ranges[i]![0]).toBe(st.ranges[i - 1]![1]);
      expect((st.ranges[i]![0] - st.bucket.offsetMs) % st.bucket.everyMs).toBe(0);
    }
  });
  it('quotes identifiers and escapes the scope', () => {
    expect(st.state[0]).toContain(`FROM "pw"."rollup_1h"."site_state"`);
    expect(st.state[0]).toContain(`"province" = 'Lào Cai\\' OR 1=1'`);
    expect(st.state[0]).toContain(`GROUP BY time(28800000ms, 25200000ms), "site" fill(none)`);
    expect(st.traffic).toContain(`"wan" = 'true'`);
  });
});

describe('chooseResolution', () => {
  const now = Date.UTC(2026, 10, 22);
  const ret = { rawRetentionMs: 30 * DAY, rollup5mRetentionMs: 400 * DAY, hourAligned: true };
  it.each([
    { name: 'a day, recent: raw', from: now - 2 * DAY, to: now - DAY, want: 'raw' },
    { name: 'a day, older than the raw retention: 5-minute rollup', from: now - 40 * DAY, to: now - 39 * DAY, want: 'rollup_5m' },
    { name: 'a month: 5-minute rollup', from: now - 31 * DAY, to: now, want: 'rollup_5m' },
    { name: 'a year: 1-hour rollup', from: now - 365 * DAY, to: now, want: 'rollup_1h' },
  ])('$name', ({ from, to, want }) => {
    expect(chooseResolution({ from, to, now, ...ret })).toBe(want);
  });
});
