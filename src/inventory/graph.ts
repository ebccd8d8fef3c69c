/** The parent graph of the inventory (pure). A site's `parent` is the site whose failure makes it unreachable. */
import type { Site } from '../config/schema.js';

/** Ancestors of `id`, nearest first. Stops at a cycle or a missing parent (validation reports those). */
export function ancestors(sitesById: ReadonlyMap<string, Pick<Site, 'id' | 'parent'>>, id: string): string[] {
  const out: string[] = [];
  const seen = new Set([id]);
  let cur = sitesById.get(id)?.parent;
  while (cur && !seen.has(cur) && sitesById.has(cur)) {
    out.push(cur);
    seen.add(cur);
    cur = sitesById.get(cur)?.parent;
  }
  return out;
}

/** Every parent cycle, each as the list of ids around it (first id repeated at the end). */
export function parentCycles(sites: ReadonlyArray<Pick<Site, 'id' | 'parent'>>): string[][] {
  const byId = new Map(sites.map((s) => [s.id, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  for (const start of sites) {
    const pathIds: string[] = [];
    let cur: string | undefined = start.id;
    while (cur && byId.has(cur) && state.get(cur) !== 'done') {
      if (state.get(cur) === 'visiting') {
        const i = pathIds.indexOf(cur);
        cycles.push([...pathIds.slice(i), cur]);
        break;
      }
      state.set(cur, 'visiting');
      pathIds.push(cur);
      cur = byId.get(cur)?.parent;
    }
    for (const id of pathIds) state.set(id, 'done');
  }
  return cycles;
}

/** Sites ordered so that every parent comes before its children (cycles must be rejected first). */
export function topoOrder<T extends Pick<Site, 'id' | 'parent'>>(sites: readonly T[]): T[] {
  const byId = new Map(sites.map((s) => [s.id, s]));
  const depth = (s: T) => ancestors(byId, s.id).length;
  return [...sites].sort((a, b) => depth(a) - depth(b));
}

/** Direct and indirect children of `id`. */
export function descendants(sites: ReadonlyArray<Pick<Site, 'id' | 'parent'>>, id: string): string[] {
  const byId = new Map(sites.map((s) => [s.id, s]));
  return sites.filter((s) => ancestors(byId, s.id).includes(id)).map((s) => s.id);
}
