import { describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../config/defaults.js';
import { continuousQueries, dailyShardDuration, parseGoDuration, rollupSelect } from './retention.js';
import { backfillChunks, backfillDayChunks } from './backfill.js';
import { ROLLUPS } from './schema.js';

const cfg = settingsWithDefaults({}).influx;
const H = 3_600_000;

describe('rollupSelect (shared by CQs and backfill)', () => {
  it('aggregates every declared rollup field under its own name, from raw into the rollup RP, grouped by all tags', () => {
    expect(rollupSelect('pointwatch', 'ping', '5m')).toBe(
      'SELECT mean("up") AS "up", mean("loss_pct") AS "loss_pct", mean("rtt_avg_ms") AS "rtt_avg_ms", max("rtt_max_ms") AS "rtt_max_ms", ' +
        'min("rtt_min_ms") AS "rtt_min_ms", mean("jitter_ms") AS "jitter_ms", sum("sent") AS "sent", sum("received") AS "received" ' +
        'INTO "pointwatch"."rollup_5m"."ping" FROM "pointwatch"."raw"."ping" GROUP BY time(5m), *',
    );
  });
  it('adds an epoch-ms time range for the backfill', () => {
    expect(rollupSelect('db', 'site_state', '1h', { from: 0 + H, to: 3 * H })).toContain(
      'FROM "db"."raw"."site_state" WHERE time >= 3600000ms AND time < 10800000ms GROUP BY time(1h), *',
    );
  });
  const refused: { name: string; run: () => string; err: RegExp }[] = [
    { name: 'the event measurement (not rolled up)', run: () => rollupSelect('db', 'event', '5m'), err: /no rollup declared for measurement 'event'/ },
    { name: 'an empty range', run: () => rollupSelect('db', 'ping', '5m', { from: 5, to: 5 }), err: /invalid rollup range/ },
    { name: 'a fractional time', run: () => rollupSelect('db', 'ping', '5m', { from: 1.5, to: 5 }), err: /invalid rollup range/ },
  ];
  for (const c of refused) it(`refuses ${c.name}`, () => expect(c.run).toThrow(c.err));
});

describe('continuousQueries', () => {
  it('one 5m, one 1h and one 1d CQ per rolled measurement, 1h and 1d never more often than hourly', () => {
    const cqs = continuousQueries(cfg);
    expect(cqs).toHaveLength(Object.keys(ROLLUPS).length * 3);
    expect(cqs.find((c) => c.name.startsWith('pw_ping_5m_'))!.statement).toMatch(/^CREATE CONTINUOUS QUERY "pw_ping_5m_[0-9a-f]{8}" ON "pointwatch" RESAMPLE EVERY 30m FOR 2h BEGIN SELECT .* END$/);
    expect(continuousQueries(cfg, { cqEvery: '1s' }).find((c) => c.name.startsWith('pw_ping_1h_'))!.statement).toContain('RESAMPLE EVERY 1h FOR 2h');
    // the daily CQ: from the 1h rollup, hourly, over a day + resample_for (2h) + 2h
    expect(continuousQueries(cfg, { cqEvery: '1s' }).find((c) => c.name.startsWith('pw_site_state_1d_'))!.statement).toMatch(
      /RESAMPLE EVERY 1h FOR 28h BEGIN SELECT sum\("up"\) AS "up", .* INTO "pointwatch"."rollup_1d"."site_state" FROM "pointwatch"."rollup_1h"."site_state" GROUP BY time\(1d\), \* END$/,
    );
  });
  it('the daily rollup of interface also counts bytes: sum of hourly mean rates × 3600 / 8', () => {
    expect(rollupSelect('db', 'interface', '1d', { from: 0, to: 86_400_000 })).toContain(
      'sum("in_bps") * 450 AS "in_bytes", sum("out_bps") * 450 AS "out_bytes" INTO "db"."rollup_1d"."interface" FROM "db"."rollup_1h"."interface" WHERE time >= 0ms AND time < 86400000ms GROUP BY time(1d), *',
    );
  });
  it('the daily FOR follows resample_for', () => {
    const odd = continuousQueries({ ...cfg, retention: { ...cfg.retention, resample_for: '90m' } });
    expect(odd.find((c) => c.name.includes('_1d_'))!.statement).toContain('FOR 1650m');
  });
  it('names change exactly when the definition changes', () => {
    const names = (c: typeof cfg, every?: string) => continuousQueries(c, { cqEvery: every }).map((q) => q.name);
    expect(names(cfg)).toEqual(names(settingsWithDefaults({}).influx));
    const changed = names({ ...cfg, retention: { ...cfg.retention, resample_for: '6h' } });
    expect(changed.filter((n) => names(cfg).includes(n))).toEqual([]);
    expect(names(cfg, '1m').filter((n) => n.includes('_1h_'))).toEqual(names(cfg).filter((n) => n.includes('_1h_'))); // 1h: still hourly
  });
  it('FOR is at least one bucket', () => {
    const short = continuousQueries({ ...cfg, retention: { ...cfg.retention, resample_for: '10m' } });
    expect(short.find((c) => c.name.includes('_1h_'))!.statement).toContain('FOR 1h');
    expect(short.find((c) => c.name.includes('_5m_'))!.statement).toContain('FOR 10m');
  });
});

describe('dailyShardDuration', () => {
  it.each([
    { name: 'a year when rollup_1h is kept longer (the default 1825d)', keep: '1825d', want: '365d' },
    { name: 'exactly a year', keep: '365d', want: '365d' },
    { name: 'the RP duration when shorter (InfluxDB refuses a longer shard)', keep: '180d', want: '180d' },
  ])('$name', ({ keep, want }) => {
    expect(dailyShardDuration({ ...cfg, retention: { ...cfg.retention, rollup_1h: keep } })).toBe(want);
  });
});

describe('parseGoDuration (SHOW RETENTION POLICIES)', () => {
  const cases: [string, number][] = [['720h0m0s', 30 * 24 * H], ['0s', 0], ['1h30m', 1.5 * H], ['2m30.5s', 150_500], ['500ms', 500], ['43800h0m0s', 1825 * 24 * H]];
  for (const [text, ms] of cases) it(`${text} = ${ms} ms`, () => expect(parseGoDuration(text)).toBe(ms));
  it('refuses junk', () => expect(() => parseGoDuration('30d')).toThrow(/invalid Go duration/));
});

describe('backfillChunks', () => {
  it('widens to whole hours and cuts into chunks', () => {
    expect(backfillChunks(H + 1, 3 * H + 5, 2 * H)).toEqual([{ from: H, to: 3 * H }, { from: 3 * H, to: 4 * H }]);
    expect(backfillChunks(0, 1)).toEqual([{ from: 0, to: H }]);
  });
  it('daily chunks are whole UTC days, 31 at a time', () => {
    const D = 24 * H;
    expect(backfillDayChunks(D + 5, 2 * D + 1)).toEqual([{ from: D, to: 3 * D }]);
    expect(backfillDayChunks(0, 40 * D)).toEqual([{ from: 0, to: 31 * D }, { from: 31 * D, to: 40 * D }]);
    expect(() => backfillDayChunks(5, 5)).toThrow(/empty or invalid range/);
  });
  it('refuses empty ranges and chunks that are not whole hours', () => {
    expect(() => backfillChunks(5, 5)).toThrow(/empty or invalid range/);
    expect(() => backfillChunks(0, H, 90 * 60_000)).toThrow(/whole number of hours/);
  });
});
