import { describe, expect, it } from 'vitest';
import { lastFire, periodFor, ymd } from './periods.js';

const TZ = 'Asia/Ho_Chi_Minh';
const vn = (y: number, m: number, d: number, h = 0, mi = 0) => Date.UTC(y, m - 1, d, h - 7, mi);

describe('lastFire', () => {
  const cases: Array<[string, string, number, number | null]> = [
    ['daily 07:00, asked at 07:00 exactly', '0 7 * * *', vn(2026, 12, 3, 7, 0), vn(2026, 12, 3, 7, 0)],
    ['daily 07:00, asked at 06:59: yesterday\'s', '0 7 * * *', vn(2026, 12, 3, 6, 59), vn(2026, 12, 2, 7, 0)],
    ['weekly Monday 07:00 asked on a Thursday', '0 7 * * 1', vn(2026, 12, 3, 12, 0), vn(2026, 11, 30, 7, 0)],
    ['monthly 1st 08:00 asked mid-month', '0 8 1 * *', vn(2026, 12, 15, 9, 0), vn(2026, 12, 1, 8, 0)],
    ['local midnight is 17:00 UTC the day before', '0 0 * * *', vn(2026, 12, 3, 0, 30), vn(2026, 12, 3, 0, 0)],
  ];
  for (const [name, pattern, now, want] of cases) it(name, () => expect(lastFire(pattern, now, TZ)).toBe(want));
  it('nothing within the look-back', () => expect(lastFire('0 8 1 * *', vn(2026, 12, 15), TZ, 86_400_000)).toBeNull());
  it('a bad pattern is a clear error', () => expect(() => lastFire('0 25 * * *', 0, TZ)).toThrow(/invalid cron pattern '0 25 \* \* \*'/));
});

describe('periodFor', () => {
  const cases: Array<[string, Parameters<typeof periodFor>[0], number, string, string, string]> = [
    ['still_down: the local day of the fire', 'still_down', vn(2026, 12, 3, 7), '2026-12-03', '2026-12-03', '2026-12-03'],
    ['weekly: the 7 days before the fire day', 'weekly', vn(2026, 11, 30, 7), '2026-11-23..2026-11-29', '2026-11-23', '2026-11-30'],
    ['monthly on Dec 1: November', 'monthly', vn(2026, 12, 1, 8), '2026-11', '2026-11-01', '2026-12-01'],
    ['monthly on Jan 1: December of the year before', 'monthly', vn(2027, 1, 1, 8), '2026-12', '2026-12-01', '2027-01-01'],
  ];
  for (const [name, kind, fire, id, from, to] of cases) {
    it(name, () => {
      const p = periodFor(kind, fire, TZ);
      expect(p.id).toBe(id);
      expect(ymd(p.from, TZ)).toBe(from);
      expect(ymd(p.to, TZ)).toBe(to);
      if (kind !== 'still_down') expect(new Date(p.from + 7 * 3_600_000).getUTCHours()).toBe(0); // local midnight
    });
  }
});
