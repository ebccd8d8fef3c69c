import { describe, expect, it } from 'vitest';
import { attributionStatements, dailyProbeStatements, dailySpan, dailyStatements, planSegments } from './daily-rollup.js';

const H = 3_600_000;
const DAY = 24 * H;
const FROM = Date.UTC(2026, 8, 30, 17); // 2026-10-01 00:00 in Vietnam

describe('the daily rollup', () => {
  const now = Date.UTC(2026, 10, 22, 10);
  const final = 29 * H; // dailyFinalAfterMs with resample_for 2h
  it.each([
    { name: 'a year from local midnight (17:00 UTC): whole UTC days only', from: FROM - 365 * DAY, to: FROM, want: [FROM - 365 * DAY + 7 * H, FROM - 17 * H] },
    { name: 'already on UTC days', from: Date.UTC(2025, 0, 1), to: Date.UTC(2026, 0, 1), want: [Date.UTC(2025, 0, 1), Date.UTC(2026, 0, 1)] },
    { name: 'up to now (10:00): yesterday is final (29 h after it began), today is not', from: Date.UTC(2026, 0, 1), to: now, want: [Date.UTC(2026, 0, 1), Date.UTC(2026, 10, 22)] },
    { name: 'up to now at 04:00: yesterday is not final yet', from: Date.UTC(2026, 0, 1), to: now, now: now - 6 * H, want: [Date.UTC(2026, 0, 1), Date.UTC(2026, 10, 21)] },
    { name: 'less than a whole day: none', from: Date.UTC(2026, 0, 1, 5), to: Date.UTC(2026, 0, 2, 4), want: null },
  ])('dailySpan: $name', ({ from, to, want, ...c }) => {
    expect(dailySpan(from, to, 'now' in c ? c.now! : now, final)).toEqual(want);
  });

  it.each([
    { name: 'no usable day: one piece at the base resolution', days: [], want: [['rollup_1h', 0, 10]] },
    {
      name: 'edges and a gap at the base resolution, runs of days merged',
      days: [2, 3, 4, 7, 8], want: [['rollup_1h', 0, 2], ['rollup_1d', 2, 5], ['rollup_1h', 5, 7], ['rollup_1d', 7, 9], ['rollup_1h', 9, 10]],
    },
    { name: 'days outside the period, duplicated or not whole are ignored', days: [-1, 0, 0, 9, 10], want: [['rollup_1d', 0, 1], ['rollup_1h', 1, 10]] },
  ])('planSegments: $name', ({ days, want }) => {
    const base = Date.UTC(2026, 0, 1);
    const to = base + 9.5 * DAY;
    const got = planSegments(base, to, days.map((d) => base + d * DAY), 'rollup_1h');
    expect(got).toEqual(want.map(([r, a, b]) => ({ resolution: r, from: base + (a as number) * DAY, to: Math.min(to, base + (b as number) * DAY) })));
    // the pieces cover the period exactly
    expect(got[0]!.from).toBe(base);
    expect(got.at(-1)!.to).toBe(to);
    for (let i = 1; i < got.length; i++) expect(got[i]!.from).toBe(got[i - 1]!.to);
  });

  const p = {
    from: Date.UTC(2025, 0, 1), to: Date.UTC(2026, 0, 1), database: 'pw', resolution: 'rollup_1h' as const,
    serviceHours: { start: '06:00', end: '22:00' }, timezone: 'Asia/Ho_Chi_Minh', droppedOffDays: 7, rawInterfaceIntervalS: 60,
    scope: { province: "Lào Cai' OR 1=1" },
    daily: { svc: { in: "in 06:00-22:00 Asia/Ho_Chi_Minh", out: "out 06:00-22:00 Asia/Ho_Chi_Minh" }, now, finalAfterMs: final },
  };
  it('the statements read rollup_1d, only the in-service split, one total per site (no row per day); the scope is escaped', () => {
    const d = dailyStatements(p, p.from, p.to);
    expect(d.state).toBe(
      'SELECT sum("up") AS "up", sum("down") AS "down", sum("unreachable") AS "unreachable", sum("unknown") AS "unknown", sum("maintenance") AS "maintenance", sum("checked_s") AS "checked_s" ' +
        `FROM "pw"."rollup_1d"."site_state" WHERE "svc" = 'in 06:00-22:00 Asia/Ho_Chi_Minh' AND time >= ${p.from}ms AND time < ${p.to}ms AND "province" = 'Lào Cai\\' OR 1=1' GROUP BY "site"`,
    );
    expect(d.ping).toHaveLength(2);
    expect(d.ping[0]).toContain(`SELECT median("rtt_avg_ms") AS "rtt_ms", count("rtt_avg_ms") AS "n" FROM "pw"."rollup_1d"."ping" WHERE "svc" = 'in 06:00-22:00 Asia/Ho_Chi_Minh'`);
    expect(d.ping[1]).toContain(`SELECT median("loss_pct") AS "loss_pct", count("loss_pct") AS "n" FROM "pw"."rollup_1d"."ping"`);
    expect(d.lastUp).toContain('SELECT last("up") AS "up" FROM "pw"."rollup_1d"."site_state" WHERE "up" > 0 AND time >= ');
    expect(d.traffic).toContain('SELECT sum("in_bytes") AS "in_bytes", sum("out_bytes") AS "out_bytes" FROM "pw"."rollup_1d"."interface" WHERE "wan" = \'true\'');
  });
  it('per-day rows only for the root-cause walk: days with UNREACHABLE time, and the ancestors\' DOWN or UNREACHABLE days', () => {
    const qs = attributionStatements(p, p.from, p.to, ['p1'], ['hub-1', "hub'2"]);
    expect(qs).toHaveLength(2);
    expect(qs[0]).toContain(`"svc" = 'in 06:00-22:00 Asia/Ho_Chi_Minh' AND time >= `);
    expect(qs[0]).toMatch(/AND "unreachable" > 0 AND \("site" = 'p1'\) GROUP BY time\(1d\), "site" fill\(none\)$/);
    expect(qs[1]).toContain(`AND ("down" > 0 OR "unreachable" > 0) AND ("site" = 'hub-1' OR "site" = 'hub\\'2') GROUP BY time(1d)`);
    expect(attributionStatements(p, p.from, p.to, ['p1'], Array.from({ length: 120 }, (_, i) => `h${i}`))).toHaveLength(4);
  });
  it('the probe finds the first rolled-up day, and counts per day the points tagged otherwise (untagged, other hours) in both measurements', () => {
    const pr = dailyProbeStatements(p, p.from, p.to);
    expect(pr.present).toMatch(/^SELECT first\("checked_s"\) AS "n" FROM "pw"."rollup_1d"."site_state" WHERE "svc" = 'in 06:00-22:00 Asia\/Ho_Chi_Minh' AND time >= \d+ms AND time < \d+ms AND "province" = /);
    expect(pr.foreign).toHaveLength(2);
    for (const q of pr.foreign) expect(q).toContain(`WHERE "svc" != 'in 06:00-22:00 Asia/Ho_Chi_Minh' AND "svc" != 'out 06:00-22:00 Asia/Ho_Chi_Minh' AND time >= `);
    expect(pr.foreign[1]).toContain('"pw"."rollup_1d"."ping"');
  });
});
