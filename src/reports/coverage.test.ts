import { describe, expect, it } from 'vitest';
import { computeCoverage, type CoverageInput, type IncidentInput, type PingBucket, type ReportSettings, type StateSpan } from './coverage.js';
import { localDateToUtc } from './service-hours.js';

const TZ = 'Asia/Ho_Chi_Minh';
const H = 3_600_000;
const DAY = 24 * H;
const FROM = localDateToUtc('2026-03-01', TZ); // local midnight
const SETTINGS: ReportSettings = { timezone: TZ, service_hours: { start: '06:00', end: '22:00' }, target_pct: 95, dropped_off_days: 7 };
type St = 'up' | 'down' | 'unreachable' | 'unknown' | 'maintenance' | null;

interface SiteDef { id: string; commune?: string; group?: string | null; province?: string; parent?: string; added?: string }
const site = (d: SiteDef) => ({
  id: d.id, name: `Điểm ${d.id}`, province: d.province ?? 'Lào Cai', ...(d.group === null ? {} : { group: d.group ?? 'Bát Xát' }), commune: d.commune ?? 'Y Tý',
  ...(d.parent ? { parent: d.parent } : {}), ...(d.added ? { added: d.added } : {}),
});

/** Buckets of `stepMs` for `site` from FROM over `ms`, state given per local hour offset (hours since FROM). */
function buckets(siteId: string, ms: number, stateAt: (h: number) => St, stepMs = H, checkS = 30): StateSpan[] {
  const out: StateSpan[] = [];
  for (let t = FROM; t < FROM + ms; t += stepMs) {
    const st = stateAt((t - FROM) / H);
    if (st === null) continue;
    const n = stepMs / 1000 / checkS;
    out.push({ site: siteId, start: t, end: t + stepMs, up: 0, down: 0, unreachable: 0, unknown: 0, maintenance: 0, [st]: n, checked_s: n * checkS });
  }
  return out;
}
/** Local hour of day for an hour offset since FROM (FROM is local midnight). */
const hod = (h: number) => ((Math.floor(h) % 24) + 24) % 24;
const inService = (h: number) => hod(h) >= 6 && hod(h) < 22;

function run(partial: Partial<CoverageInput> & Pick<CoverageInput, 'sites' | 'buckets'>, days = 1) {
  return computeCoverage({ from: FROM, to: FROM + days * DAY, settings: SETTINGS, generatedAt: FROM + days * DAY, ...partial });
}
const bySite = (r: ReturnType<typeof run>, id: string) => r.sites.find((s) => s.site === id)!;
/** Each field of `want` on `got`: numbers to `digits` decimals, the rest exactly. */
function expectFields(got: object, want: Record<string, unknown>, digits: number) {
  for (const [k, v] of Object.entries(want)) {
    const g = (got as Record<string, unknown>)[k];
    if (typeof v === 'number') expect(g, k).toBeCloseTo(v, digits);
    else expect(g, k).toBe(v);
  }
}

describe('site availability', () => {
  it.each([
    {
      name: 'no data gives UNKNOWN, never 100% or 0%',
      state: (): St => null,
      expect: { availability_pct: null, class: 'unknown', meets_target: null, no_data_min: 960 },
    },
    {
      name: 'always up gives 100% and live',
      state: (): St => 'up',
      expect: { availability_pct: 100, class: 'live', down_min: 0, checked_min: 960 },
    },
    {
      name: 'two hours down in service hours of a 16-hour day gives 87.5%',
      state: (h: number): St => (hod(h) === 10 || hod(h) === 11 ? 'down' : 'up'),
      expect: { availability_pct: 87.5, class: 'at_risk', down_min: 120 },
    },
    {
      name: 'down at night (outside service hours) does not count',
      state: (h: number): St => (hod(h) < 5 ? 'down' : 'up'),
      expect: { availability_pct: 100, down_min: 0 },
    },
    {
      name: 'maintenance is excluded from the denominator and reported',
      state: (h: number): St => (hod(h) >= 8 && hod(h) < 12 ? 'maintenance' : hod(h) === 14 ? 'down' : 'up'),
      expect: { availability_pct: (100 * 11) / 12, maintenance_min: 240, down_min: 60 },
    },
    {
      name: 'UNKNOWN time is reported separately and never counted as up or down',
      state: (h: number): St => (hod(h) >= 6 && hod(h) < 14 ? 'unknown' : 'up'),
      expect: { availability_pct: 100, unknown_min: 480 },
    },
    {
      name: 'only maintenance and unknown: availability UNKNOWN',
      state: (h: number): St => (hod(h) < 12 ? 'maintenance' : 'unknown'),
      expect: { availability_pct: null, class: 'unknown' },
    },
    {
      name: 'hours with no check are no data, not downtime',
      state: (h: number): St => (hod(h) >= 6 && hod(h) < 10 ? null : 'up'),
      expect: { availability_pct: 100, no_data_min: 240, checked_min: 720 },
    },
  ])('$name', ({ state, expect: want }) => {
    const r = run({ sites: [site({ id: 'a' })], buckets: buckets('a', DAY, state) });
    expectFields(bySite(r, 'a'), want, 3);
  });
});

describe('service hours on buckets', () => {
  const down6to7 = (h: number): St => (hod(h) === 6 ? 'down' : 'up');
  it.each([
    { name: '1-hour buckets', step: H, checkS: 30 },
    { name: '5-minute buckets', step: 5 * 60_000, checkS: 30 },
    { name: 'raw checks (one bucket per 30 s check)', step: 30_000, checkS: 30 },
  ])('$name give the same availability', ({ step, checkS }) => {
    const r = run({ sites: [site({ id: 'a' })], buckets: buckets('a', DAY, down6to7, step, checkS) });
    expect(bySite(r, 'a').availability_pct).toBeCloseTo((100 * 15) / 16, 3);
    expect(bySite(r, 'a').down_min).toBeCloseTo(60, 1);
  });

  it('a 1-hour bucket half inside service hours counts by half (06:30 start)', () => {
    const r = computeCoverage({
      from: FROM, to: FROM + DAY, generatedAt: FROM + DAY,
      settings: { ...SETTINGS, service_hours: { start: '06:30', end: '22:00' } },
      sites: [site({ id: 'a' })], buckets: buckets('a', DAY, down6to7),
    });
    const a = bySite(r, 'a');
    expect(a.down_min).toBeCloseTo(30, 3);
    expect(a.checked_min).toBeCloseTo(15.5 * 60, 3);
    expect(a.availability_pct).toBeCloseTo((100 * 15) / 15.5, 3);
  });
});

describe('dependencies: UNREACHABLE is attributed to the parent', () => {
  const parentDown = (h: number): St => (hod(h) >= 10 && hod(h) < 12 ? 'down' : 'up');
  const childUnreach = (h: number): St => (hod(h) >= 10 && hod(h) < 12 ? 'unreachable' : 'up');
  it('the child keeps 100% and the parent carries the children\'s unreachable time', () => {
    const r = run({
      sites: [site({ id: 'hub' }), site({ id: 'leaf1', parent: 'hub' }), site({ id: 'leaf2', parent: 'hub' })],
      buckets: [...buckets('hub', DAY, parentDown), ...buckets('leaf1', DAY, childUnreach), ...buckets('leaf2', DAY, childUnreach)],
    });
    expect(bySite(r, 'leaf1').availability_pct).toBe(100);
    expect(bySite(r, 'leaf1').unreachable_min).toBeCloseTo(120, 3);
    expect(bySite(r, 'leaf1').down_min).toBe(0);
    expect(bySite(r, 'hub').availability_pct).toBeCloseTo(87.5, 3);
    expect(bySite(r, 'hub').downstream_unreachable_min).toBeCloseTo(240, 3);
  });

  it('a grandchild behind an unreachable parent is attributed to the grandparent that was DOWN', () => {
    const r = run({
      sites: [site({ id: 'leaf', parent: 'mid' })],
      allSites: [{ id: 'root' }, { id: 'mid', parent: 'root' }, { id: 'leaf', parent: 'mid' }],
      buckets: buckets('leaf', DAY, childUnreach),
      ancestorBuckets: [...buckets('root', DAY, parentDown), ...buckets('mid', DAY, childUnreach)],
    });
    expect(bySite(r, 'leaf').availability_pct).toBe(100);
    // root is outside the scope: nothing to report on it, and the leaf is not blamed
    expect(r.sites.map((s) => s.site)).toEqual(['leaf']);
    const r2 = run({
      sites: [site({ id: 'root' }), site({ id: 'mid', parent: 'root' }), site({ id: 'leaf', parent: 'mid' })],
      buckets: [...buckets('root', DAY, parentDown), ...buckets('mid', DAY, childUnreach), ...buckets('leaf', DAY, childUnreach)],
    });
    expect(bySite(r2, 'root').downstream_unreachable_min).toBeCloseTo(240, 3);
    expect(bySite(r2, 'mid').downstream_unreachable_min).toBe(0);
  });
});

describe('sites added mid-period', () => {
  const days = 10;
  it.each([
    { name: 'added on day 5 with data since: counts only from then, no missing data', added: '2026-03-06', from: 5, avail: 100, service: 5 * 960, noData: 0 },
    { name: 'not marked as added: the first 5 days are no data', added: undefined, from: 5, avail: 100, service: 10 * 960, noData: 5 * 960 },
    { name: 'added on day 5, down one service hour on day 7', added: '2026-03-06', from: 5, avail: (100 * (5 * 16 - 1)) / (5 * 16), service: 5 * 960, noData: 0, downAt: 7 * 24 + 12 },
  ])('$name', ({ added, from, avail, service, noData, downAt }) => {
    const r = run({
      sites: [site({ id: 'new', added })],
      buckets: buckets('new', days * DAY, (h) => (h < from * 24 ? null : h === downAt ? 'down' : 'up')),
    }, days);
    const s = bySite(r, 'new');
    expect(s.availability_pct).toBeCloseTo(avail, 3);
    expect(s.service_min).toBeCloseTo(service, 3);
    expect(s.no_data_min).toBeCloseTo(noData, 3);
  });

  it('a site added mid-period with down time before its added date is not charged for it', () => {
    const r = run({
      sites: [site({ id: 'new', added: '2026-03-03' })],
      buckets: buckets('new', 4 * DAY, (h) => (h < 48 ? 'down' : 'up')),
    }, 4);
    expect(bySite(r, 'new').availability_pct).toBe(100);
  });
});

describe('classes', () => {
  const days = 14;
  it.each([
    { name: 'live: meets the 95% target', state: (h: number): St => (h === 24 * 3 + 12 ? 'down' : 'up'), cls: 'live' },
    { name: 'at risk: below target', state: (h: number): St => (hod(h) === 12 || hod(h) === 13 ? 'down' : 'up'), cls: 'at_risk' },
    { name: 'dropped off: no UP for the last 7 days', state: (h: number): St => (h < 24 * 5 ? 'up' : 'down'), cls: 'dropped_off' },
    { name: 'dropped off also when the data stops', state: (h: number): St => (h < 24 * 5 ? 'up' : null), cls: 'dropped_off' },
    { name: 'not dropped off with an UP 6 days before the end', state: (h: number): St => (h < 24 * 8 ? 'up' : 'down'), cls: 'at_risk' },
    { name: 'unknown: no data at all', state: (): St => null, cls: 'unknown' },
  ])('$name', ({ state, cls }) => {
    const r = run({ sites: [site({ id: 'a' })], buckets: buckets('a', days * DAY, state) }, days);
    expect(bySite(r, 'a').class).toBe(cls);
  });

  it('a last UP known from before the period keeps a short report from calling a site dropped off', () => {
    const r = run({ sites: [site({ id: 'a' })], buckets: buckets('a', DAY, () => 'down'), lastUp: new Map([['a', FROM - 2 * DAY]]) }, 1);
    expect(bySite(r, 'a').class).toBe('at_risk');
    const r2 = run({ sites: [site({ id: 'a' })], buckets: buckets('a', DAY, () => 'down'), lastUp: new Map([['a', FROM - 9 * DAY]]) }, 1);
    // the period is shorter than dropped_off_days: the class needs the site in service that long
    expect(r2.sites[0]!.class).toBe('at_risk');
  });
});

describe('incidents', () => {
  const incidents: IncidentInput[] = [
    { site: 'a', cause: 'power', opened: FROM + 10 * H, resolved: FROM + 12 * H, kind: 'power-cut-suspected' },
    { site: 'a', cause: 'link', opened: FROM + 20 * H, resolved: FROM + 24 * H, kind: 'site-down' }, // 2 h in service hours
    { site: 'a', cause: 'link', opened: FROM + 14 * H, resolved: FROM + 15 * H, kind: 'high-loss' }, // not an outage
    { site: 'a', cause: 'unknown', opened: FROM + 16 * H, resolved: FROM + 17 * H, kind: 'upstream-down' }, // the parent's
    { site: 'b', cause: 'unknown', opened: FROM + 7 * H, resolved: null, kind: 'site-down' }, // still open
  ];
  const r = run({ sites: [site({ id: 'a' }), site({ id: 'b' })], buckets: [...buckets('a', DAY, () => 'up'), ...buckets('b', DAY, () => 'up')], incidents });
  it.each([
    { name: 'counts outage incidents only', site: 'a', key: 'incidents', want: 2 },
    { name: 'MTTR over resolved incidents (2 h and 4 h → 180 min)', site: 'a', key: 'mttr_min', want: 180 },
    { name: 'cause split in service-hour minutes', site: 'a', key: 'cause_min', want: { power: 120, link: 120, unknown: 0 } },
    { name: 'main cause: the tie goes to the first cause (power)', site: 'a', key: 'main_cause', want: 'power' },
    { name: 'an open incident counts, runs to the end of the period, and has no MTTR', site: 'b', key: 'mttr_min', want: null },
    { name: 'an open incident\'s minutes run to the end of service hours', site: 'b', key: 'cause_min', want: { power: 0, link: 0, unknown: 15 * 60 } },
  ])('$name', ({ site: id, key, want }) => {
    expect(bySite(r, id)[key as 'incidents']).toEqual(want);
  });
});

describe('latency, loss and traffic', () => {
  it('medians are taken over buckets in service hours; traffic over the whole period', () => {
    const pings: PingBucket[] = [];
    for (let h = 0; h < 24; h++) pings.push({ site: 'a', start: FROM + h * H, end: FROM + (h + 1) * H, rtt_ms: inService(h) ? 40 + (h % 3) : 900, loss_pct: inService(h) ? (h === 12 ? 50 : 1) : 100 });
    const r = run({
      sites: [site({ id: 'a' })], buckets: buckets('a', DAY, () => 'up'), pings,
      traffic: new Map([['a', { in_bytes: 12.5e9, out_bytes: 2e9 }]]),
    });
    const a = bySite(r, 'a');
    expect(a.median_rtt_ms).toBe(41);
    expect(a.median_loss_pct).toBe(1);
    expect(a.traffic_gb_in).toBe(12.5);
    expect(a.traffic_gb_out).toBe(2);
  });
});

describe('areas: the coverage figure per commune', () => {
  // commune Y Tý: one point meets the target, one does not → covered
  // commune A Mú Sung: both below target → not covered
  // group Sa Pa / commune Tả Van: no data → unknown, not covered
  const downHours = (n: number) => (h: number): St => (hod(h) >= 8 && hod(h) < 8 + n ? 'down' : 'up');
  const r = run({
    sites: [
      site({ id: 'yt1', commune: 'Y Tý' }), site({ id: 'yt2', commune: 'Y Tý' }),
      site({ id: 'ams1', commune: 'A Mú Sung' }), site({ id: 'ams2', commune: 'A Mú Sung' }),
      site({ id: 'tv1', commune: 'Tả Van', group: 'Sa Pa' }),
    ],
    buckets: [
      ...buckets('yt1', DAY, () => 'up'), ...buckets('yt2', DAY, downHours(8)),
      ...buckets('ams1', DAY, downHours(2)), ...buckets('ams2', DAY, downHours(4)),
    ],
    incidents: [
      { site: 'yt2', cause: 'power', opened: FROM + 8 * H, resolved: FROM + 16 * H },
      { site: 'ams2', cause: 'link', opened: FROM + 8 * H, resolved: FROM + 12 * H },
    ],
  });
  it.each([
    { name: 'Y Tý is covered (one point at 100%)', area: () => r.communes.find((c) => c.name === 'Y Tý')!, want: { sites: 2, sites_meeting_target: 1, communes_covered: 1, coverage_pct: 100, availability_pct: (100 * 24) / 32 } },
    { name: 'A Mú Sung is not covered', area: () => r.communes.find((c) => c.name === 'A Mú Sung')!, want: { sites_meeting_target: 0, communes_covered: 0, coverage_pct: 0 } },
    { name: 'Tả Van has no data: coverage UNKNOWN', area: () => r.communes.find((c) => c.name === 'Tả Van')!, want: { sites_known: 0, availability_pct: null, coverage_pct: null } },
    { name: 'group Bát Xát: 1 of 2 communes covered', area: () => r.groups.find((d) => d.name === 'Bát Xát')!, want: { communes: 2, communes_covered: 1, coverage_pct: 50, sites_meeting_target: 1 } },
    { name: 'province: 1 of 3 communes covered', area: () => r.provinces[0]!, want: { communes: 3, communes_covered: 1, coverage_pct: 33.3, sites: 5, sites_known: 4 } },
  ])('$name', ({ area, want }) => {
    expectFields(area(), want, 1);
  });

  it('worst sites come first with their main cause', () => {
    expect(r.total.worst.map((w) => [w.site, w.main_cause])).toEqual([['yt2', 'power'], ['ams2', 'link'], ['ams1', null]]);
    expect(r.total.classes).toEqual({ live: 1, at_risk: 3, dropped_off: 0, unknown: 1 });
  });
});

describe('areas: two tiers (province -> commune, groups optional)', () => {
  // two provinces each with a commune named Tân Lập (names repeat across provinces); no groups anywhere
  const r = run({
    sites: [
      site({ id: 'pt1', province: 'Phú Thọ', commune: 'Tân Lập', group: null }),
      site({ id: 'tn1', province: 'Thái Nguyên', commune: 'Tân Lập', group: null }),
      site({ id: 'tn2', province: 'Thái Nguyên', commune: 'Tân Lập', group: null }),
    ],
    buckets: [...buckets('pt1', DAY, () => 'up'), ...buckets('tn1', DAY, () => 'down'), ...buckets('tn2', DAY, () => 'down')],
  });
  it('a commune is keyed by province + name: two communes named Tân Lập stay apart', () => {
    expect(r.communes.map((c) => [c.province, c.name, c.sites, c.communes_covered])).toEqual([['Phú Thọ', 'Tân Lập', 1, 1], ['Thái Nguyên', 'Tân Lập', 2, 0]]);
    expect(r.total).toMatchObject({ communes: 2, communes_covered: 1, coverage_pct: 50 });
  });
  it('no groups: no group rows, no group on sites or communes', () => {
    expect(r.groups).toEqual([]);
    expect(r.sites.every((s) => s.group === null)).toBe(true);
    expect(r.communes.every((c) => c.group === null)).toBe(true);
  });
});

describe('service buckets (the daily rollup: sums of in-service checks only)', () => {
  // one UTC-day bucket per day holding only the service-hour checks of that day
  const DAYS = 4;
  const from = Math.ceil(FROM / DAY) * DAY; // a UTC midnight (07:00 local)
  const hourly = (id: string, st: (h: number) => St) => {
    const all = buckets(id, (DAYS + 2) * DAY, st).filter((b) => b.start >= from && b.end <= from + DAYS * DAY);
    return all;
  };
  const daily = (hs: StateSpan[]): StateSpan[] => {
    const out = new Map<number, StateSpan>();
    for (const b of hs) {
      const h = (b.start - FROM) / H;
      if (!inService(h)) continue; // the svc split: only in-service checks
      const d = Math.floor(b.start / DAY) * DAY;
      const o = out.get(d) ?? { site: b.site, start: d, end: d + DAY, up: 0, down: 0, unreachable: 0, unknown: 0, maintenance: 0, checked_s: 0, service: true };
      o.up += b.up; o.down += b.down; o.unreachable += b.unreachable; o.unknown += b.unknown; o.maintenance += b.maintenance; o.checked_s += b.checked_s;
      out.set(d, o);
    }
    return [...out.values()];
  };
  const state = (h: number): St => (hod(h) === 10 || hod(h) === 3 ? 'down' : hod(h) === 15 ? 'maintenance' : 'up');
  const rep = (bs: StateSpan[], sites = [site({ id: 'a' })]) =>
    computeCoverage({ from, to: from + DAYS * DAY, settings: SETTINGS, generatedAt: from + DAYS * DAY, sites, buckets: bs });

  it('count in full: the same minutes as the hourly buckets weighted by service hours', () => {
    const h = rep(hourly('a', state)).sites[0]!;
    const d = rep(daily(hourly('a', state))).sites[0]!;
    expect(h.down_min).toBe(DAYS * 60); // 10:00 each day; 03:00 is at night
    for (const k of ['availability_pct', 'down_min', 'up_min', 'maintenance_min', 'checked_min', 'no_data_min'] as const) expect(d[k], k).toBe(h[k]);
  });

  it('a site added inside a bucket counts by the share of the bucket\'s service time after it was added', () => {
    // added 2 local days after FROM: local midnight = 17:00 UTC, inside a UTC-day bucket
    const added = site({ id: 'a', added: '2026-03-03' });
    const d = rep(daily(hourly('a', () => 'up')), [added]).sites[0]!;
    const h = rep(hourly('a', () => 'up'), [added]).sites[0]!;
    expect(d.service_min).toBe(h.service_min);
    expect(d.checked_min).toBeCloseTo(h.checked_min, 6);
    expect(d.availability_pct).toBe(100);
  });

  it('a bucket with no service time in the period counts nothing', () => {
    const night = { start: '22:00', end: '23:00' };
    const r = computeCoverage({
      from, to: from + 3 * H, settings: { ...SETTINGS, service_hours: night }, generatedAt: from + DAY, sites: [site({ id: 'a' })],
      buckets: [{ site: 'a', start: from, end: from + 3 * H, up: 5, down: 0, unreachable: 0, unknown: 0, maintenance: 0, checked_s: 150, service: true }],
    });
    expect(r.sites[0]!.checked_min).toBe(0);
    expect(r.sites[0]!.availability_pct).toBeNull();
  });
});
