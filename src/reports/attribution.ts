/**
 * The root-cause walk (pure): time a site was UNREACHABLE is held against the ancestor that was
 * DOWN at the time, not against the site. Apart from the sums because it reads other sites' buckets
 * (parents may lie outside the report's scope).
 */
import type { StateSpan } from './coverage.js';

/** Finds, for a site and a bucket start, the ancestor to blame; null when the site has no parent. */
export type RootCause = (site: string, start: number) => string | null;

/**
 * The walk over `lists` of buckets (totals are skipped: they have no time to match). Up the parents
 * from the site: the first one DOWN in that bucket; a parent with no data or not UNREACHABLE itself
 * stops the walk at the direct parent.
 */
export function rootCauseWalk(parentOf: ReadonlyMap<string, string | undefined>, lists: ReadonlyArray<readonly StateSpan[]>): RootCause {
  // buckets of the sites that are someone's parent, by start
  const parents = new Set<string>();
  for (const p of parentOf.values()) if (p) parents.add(p);
  const byKey = new Map<string, Map<number, StateSpan>>();
  for (const list of lists) {
    for (const b of list) {
      if (!parents.has(b.site) || b.total) continue;
      let m = byKey.get(b.site);
      if (!m) byKey.set(b.site, (m = new Map()));
      m.set(b.start, b);
    }
  }
  return (site, start) => {
    const seen = new Set([site]);
    let cur = parentOf.get(site);
    let first: string | null = null;
    while (cur && !seen.has(cur)) {
      first ??= cur;
      const pb = byKey.get(cur)?.get(start);
      if (pb && pb.down > 0) return cur;
      if (!pb || !(pb.unreachable > 0)) return first;
      seen.add(cur);
      cur = parentOf.get(cur);
    }
    return first;
  };
}
