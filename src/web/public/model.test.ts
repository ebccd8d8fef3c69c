import { describe, expect, it } from 'vitest';
import { dailyAvailability, localMidnight, maintenanceAhead, pointClass, redact, slug, slugMap, type HourBucket } from './model.js';
import { dayColour } from './pages.js';

const TZ = 'Asia/Ho_Chi_Minh';
const H = 3_600_000, DAY = 24 * H;
const vn = (y: number, m: number, d: number, h = 0) => Date.UTC(y, m - 1, d, h - 7);

describe('redact: free text on a public page', () => {
  const cases: Array<[string, string, string]> = [
    ['a mobile number with spaces', 'gọi 0912 345 678 nhé', 'gọi … nhé'],
    ['an international number', 'call +84912345678', 'call …'],
    ['an e-mail address', 'hỏi truc.stttt@example.org', 'hỏi …'],
    ['an IPv4 address with port', 'router 192.0.2.10:161 reboot', 'router … reboot'],
    ['a date and time stay', 'Cắt điện 22/11 08:00-12:00', 'Cắt điện 22/11 08:00-12:00'],
    ['a short number stays', 'trạm 110 kV', 'trạm 110 kV'],
  ];
  for (const [name, input, want] of cases) it(name, () => expect(redact(input)).toBe(want));
});

describe('slugs', () => {
  const cases: Array<[string, string]> = [['Tả Van', 'ta-van'], ['Đồng Văn', 'dong-van'], ['Lào Cai', 'lao-cai'], ['  ', 'x']];
  for (const [name, want] of cases) it(`${JSON.stringify(name)} → ${want}`, () => expect(slug(name)).toBe(want));
  it('two names with one slug get distinct ones, the same every time', () => {
    const m = slugMap(['Tá Văn', 'Tả Van']);
    expect(new Set(m.values()).size).toBe(2);
    expect(slugMap(['Tả Van', 'Tá Văn'])).toEqual(m);
  });
});

describe('dailyAvailability and pointClass', () => {
  const now = vn(2026, 11, 20, 10);
  const b = (site: string, ts: number, up: number, down: number, unreachable = 0): HourBucket => ({ site, ts, up, down, unreachable, unknown: 0, maintenance: 0 });
  it('days are local days; today is the last; unreachable is not counted against the site', () => {
    const buckets = [
      b('s', vn(2026, 11, 20, 0), 10, 0), // local midnight today: today
      b('s', vn(2026, 11, 19, 23), 0, 10), // 23:00 yesterday: yesterday
      b('s', vn(2026, 11, 18, 12), 5, 5, 100),
    ];
    const d = dailyAvailability(buckets, now, 3, TZ).get('s')!;
    expect(d.days).toEqual([0.5, 0, 1]);
    expect(d.pct).toBeCloseTo((15 / 30) * 100, 5);
    expect(localMidnight(now, TZ)).toBe(vn(2026, 11, 20));
  });
  it('buckets older than the span or in the future are ignored', () => {
    const d = dailyAvailability([b('s', now - 10 * DAY, 0, 10), b('s', now + H, 0, 10), b('s', now - H, 10, 0)], now, 3, TZ).get('s')!;
    expect(d.pct).toBe(100);
  });
  const cls: Array<[string, Array<number | null>, number | null, string]> = [
    ['no data', [null, null, null], null, 'unknown'],
    ['down the last 2 days (dropped_off_days 2)', [1, 0, 0], 33.3, 'dropped_off'],
    ['no data recently but down before: dropped off', [1, null, null], 40, 'dropped_off'],
    ['meets the target', [1, 0.96, 1], 98.7, 'live'],
    ['below the target but alive', [0.5, 0.8, 0.9], 73, 'at_risk'],
  ];
  for (const [name, days, pct, want] of cls) it(`pointClass: ${name}`, () => expect(pointClass(days, pct, 95, 2)).toBe(want));
  const colours: Array<[number | null, string]> = [[null, 'none'], [1, 'ok'], [0.995, 'ok'], [0.7, 'part'], [0.2, 'bad']];
  for (const [v, want] of colours) it(`dayColour(${v}) = ${want}`, () => expect(dayColour(v)).toBe(want));
});

describe('maintenanceAhead', () => {
  const now = vn(2026, 11, 20, 10);
  const sites = [{ id: 'a1', name: 'Điểm 1', commune: 'An', province: 'P' }, { id: 'b1', name: 'Điểm B', commune: 'Bình', province: 'P' }];
  const w = (o: Partial<Parameters<typeof maintenanceAhead>[0][number]>) => ({ id: 1, sites: [], communes: [], groups: [], start: now + DAY, end: now + DAY + H, cron: null, duration_ms: null, reason: 'r', created_by: 'x', created_at: 0, source: 'manual', ...o });
  it('only windows covering the area, inside the days ahead, soonest first; power cuts recognised', () => {
    const out = maintenanceAhead([
      w({ communes: ['An'], start: now + 2 * DAY, end: now + 2 * DAY + H, source: 'csv:evn.csv', reason: 'lịch EVN' }),
      w({ sites: ['a1'], reason: 'thay router' }),
      w({ communes: ['Khác'] }),
      w({ sites: ['a1'], start: now + 9 * DAY, end: now + 9 * DAY + H }),
      w({ sites: ['a1'], start: now - 2 * H, end: now - H }),
    ], sites, now, 7 * DAY, TZ);
    expect(out.map((x) => [x.reason, x.power, x.where])).toEqual([['thay router', false, ['Điểm 1']], ['lịch EVN', true, ['An']]]);
  });
  it('a recurring window shows its next occurrence', () => {
    const out = maintenanceAhead([w({ sites: ['b1'], start: now - 30 * DAY, end: now + 300 * DAY, cron: '0 2 * * 0', duration_ms: 2 * H })], sites, now, 7 * DAY, TZ);
    expect(out).toHaveLength(1);
    expect(out[0]!.start).toBe(vn(2026, 11, 22, 2)); // Sunday 02:00 local
    expect(out[0]!.end - out[0]!.start).toBe(2 * H);
  });
});
