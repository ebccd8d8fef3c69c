/**
 * The report by place (pure): sites grouped per commune (province + name), group and province, and
 * each group's figures (time-weighted availability, communes covered, classes, worst sites). Apart
 * from the per-site sums because it reads only finished SiteCoverage rows.
 */
import { communeKey, placeSortKey } from '../inventory/places.js';
import type { AreaCoverage, AreaLevel, CoverageClass, SiteCoverage } from './coverage.js';
import { CAUSES, zeroCauses } from './causes.js';
import { round } from './numbers.js';

const WORST_N = 5;

/** UP seconds and the seconds availability is over, per site (areas weight by time, not by site). */
export type UpSeconds = ReadonlyMap<string, { up: number; denom: number }>;

/** Sort key: province, group, commune in Vietnamese order, then `last`. */
export const placeOrder = (p: { province: string | null; group: string | null; commune: string | null }, last: string) =>
  placeSortKey({ province: p.province ?? '', ...(p.group ? { group: p.group } : {}), commune: p.commune ?? '' }) + `\u0000${last}`;

/** One area per distinct `key` of the sites (null: not in any), in place order. */
export function groupAreas(level: AreaLevel, sites: readonly SiteCoverage[], key: (s: SiteCoverage) => string | null, target: number, upSec: UpSeconds): AreaCoverage[] {
  const groups = new Map<string, SiteCoverage[]>();
  for (const s of sites) {
    const k = key(s);
    if (k === null) continue;
    let l = groups.get(k);
    if (!l) groups.set(k, (l = []));
    l.push(s);
  }
  return [...groups.values()].map((members) => areaOf(level, members, target, upSec))
    .sort((x, y) => placeOrder(x, x.name).localeCompare(placeOrder(y, y.name), 'vi'));
}

export function areaOf(level: AreaLevel, members: readonly SiteCoverage[], target: number, upSec: UpSeconds): AreaCoverage {
  const first = members[0];
  const name = level === 'commune' ? first?.commune : level === 'group' ? first?.group : level === 'province' ? first?.province : 'all';
  let up = 0, denom = 0;
  const classes: Record<CoverageClass, number> = { live: 0, at_risk: 0, dropped_off: 0, unknown: 0 };
  const causeMin = zeroCauses();
  let down = 0, incidents = 0, gbIn = 0, gbOut = 0;
  const communes = new Map<string, { known: boolean; covered: boolean }>();
  for (const s of members) {
    const u = upSec.get(s.site);
    if (u && u.denom > 1e-9) { up += u.up; denom += u.denom; }
    classes[s.class]++;
    for (const c of CAUSES) causeMin[c] += s.cause_min[c];
    down += s.down_min;
    incidents += s.incidents;
    gbIn += s.traffic_gb_in ?? 0;
    gbOut += s.traffic_gb_out ?? 0;
    const ck = communeKey(s);
    const c = communes.get(ck) ?? { known: false, covered: false };
    if (s.availability_pct !== null) c.known = true;
    if (s.meets_target) c.covered = true;
    communes.set(ck, c);
  }
  const known = [...communes.values()];
  const covered = known.filter((c) => c.covered).length;
  const worst = members
    .filter((s): s is SiteCoverage & { availability_pct: number } => s.availability_pct !== null && !s.meets_target)
    .sort((a, b) => a.availability_pct - b.availability_pct || b.down_min - a.down_min || a.site.localeCompare(b.site))
    .slice(0, WORST_N)
    .map((s) => ({ site: s.site, name: s.name, commune: s.commune, availability_pct: s.availability_pct, main_cause: s.main_cause, down_min: s.down_min }));
  for (const c of CAUSES) causeMin[c] = round(causeMin[c], 1);
  return {
    level,
    name: name ?? '',
    province: level === 'all' ? null : first?.province ?? null,
    // a commune's group is its sites' (they share one unless the inventory disagrees with itself)
    group: level === 'group' || level === 'commune' ? first?.group ?? null : null,
    commune: level === 'commune' ? first?.commune ?? null : null,
    sites: members.length,
    sites_known: members.filter((s) => s.availability_pct !== null).length,
    sites_meeting_target: members.filter((s) => s.meets_target).length,
    availability_pct: denom > 1e-9 ? round((100 * up) / denom, 3) : null,
    communes: communes.size,
    communes_covered: covered,
    coverage_pct: known.some((c) => c.known) ? round((100 * covered) / communes.size, 1) : null,
    classes,
    down_min: round(down, 1),
    incidents,
    cause_min: causeMin,
    traffic_gb_in: round(gbIn, 3),
    traffic_gb_out: round(gbOut, 3),
    worst,
  };
}
