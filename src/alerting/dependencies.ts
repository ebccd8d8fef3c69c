/**
 * Dependencies between sites (pure): the parent graph, and judging a batch of checks parents
 * first, so each child sees its ancestors' state of THIS batch.
 *
 * "Ancestor down" means an ancestor is DOWN or failing (its own checks fail, confirmed or not):
 * a child that confirms its failure one check before its parent does is still UNREACHABLE.
 * When an ancestor stops being down, every descendant is judged again at once (resettle), even
 * if the batch held no check for it: a child still down then gets its own alert.
 */
import type { Site } from '../config/schema.js';
import type { SiteCheck } from '../core/types.js';
import { ancestors as ancestorsOfGraph } from '../inventory/graph.js';
import { reduceSite, resettle, initialSiteState, type Effect, type ReduceContext, type SiteAlertState } from './reducer.js';

export interface SiteGraph {
  byId: ReadonlyMap<string, Site>;
  /** Direct children of each site. */
  children: ReadonlyMap<string, string[]>;
  /** Ancestors of each site, nearest first. */
  ancestors: ReadonlyMap<string, string[]>;
  /** Position in an order where every parent comes before its children. */
  rank: ReadonlyMap<string, number>;
  /** Site ids in that order. */
  order: readonly string[];
}

/** The parent graph. Cycles and unknown parents are refused at config load; here they just end a chain. */
export function buildGraph(sites: readonly Site[]): SiteGraph {
  const byId = new Map(sites.map((s) => [s.id, s]));
  const children = new Map<string, string[]>();
  const ancestors = new Map<string, string[]>();
  for (const s of sites) {
    ancestors.set(s.id, ancestorsOfGraph(byId, s.id));
    if (s.parent && byId.has(s.parent)) {
      const list = children.get(s.parent) ?? [];
      list.push(s.id);
      children.set(s.parent, list);
    }
  }
  const order = [...sites].sort((a, b) => ancestors.get(a.id)!.length - ancestors.get(b.id)!.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { byId, children, ancestors, rank: new Map(order.map((s, i) => [s.id, i])), order: order.map((s) => s.id) };
}

/** Every descendant of `id` (children, their children, ...), parents before children. */
export function descendantsOf(graph: SiteGraph, id: string): string[] {
  const out: string[] = [];
  const queue = [...(graph.children.get(id) ?? [])];
  const seen = new Set<string>([id]);
  while (queue.length) {
    const c = queue.shift()!;
    if (seen.has(c)) continue;
    seen.add(c);
    out.push(c);
    queue.push(...(graph.children.get(c) ?? []));
  }
  return out;
}

/** A site counts as down for its descendants when its own checks fail (confirmed or not). */
export function isDownForChildren(st: SiteAlertState | undefined): boolean {
  return st !== undefined && (st.down.confirmed || st.down.fail > 0);
}

/** Anything that finds a site's state by id (a Map, or a batch's view over the previous states). */
export type StateLookup = Pick<ReadonlyMap<string, SiteAlertState>, 'get'>;

export function isAncestorDown(graph: SiteGraph, id: string, states: StateLookup): boolean {
  return (graph.ancestors.get(id) ?? []).some((a) => isDownForChildren(states.get(a)));
}

/** The nearest ancestor that is down, if any: the site whose incident covers this one. */
export function downAncestor(graph: SiteGraph, id: string, states: StateLookup): string | null {
  const list = graph.ancestors.get(id) ?? [];
  // the topmost down ancestor owns the incident: its own parent is up
  for (let i = list.length - 1; i >= 0; i--) if (isDownForChildren(states.get(list[i]!))) return list[i]!;
  return null;
}

/** Descendants of `id` that are UNREACHABLE now: the "affected" list of its incident. */
export function affectedBy(graph: SiteGraph, id: string, states: StateLookup): string[] {
  return descendantsOf(graph, id).filter((c) => states.get(c)?.state === 'UNREACHABLE');
}

export interface BatchResult {
  /** New state of every site that was judged (checked or resettled). */
  states: Map<string, SiteAlertState>;
  /** Only the states this batch judged (checked or resettled). */
  changed: Map<string, SiteAlertState>;
  /** A site's state after this batch: judged here, else as before. O(1), no copy of the inventory. */
  view: StateLookup;
  /** Effects per site, in the order they happened. */
  effects: Array<{ site: string; effect: Effect }>;
  /** Sites judged again without a check because an ancestor recovered or a window ended. */
  resettled: string[];
  /** The state decided for each check, in evaluation order (the `site_state` points). */
  perCheck: Array<{ site: string; ts: number; state: SiteAlertState['state'] }>;
}

/**
 * Judge a batch of checks in dependency order. `prev` is not mutated. Checks for unknown sites
 * are skipped (the caller logs them). Sites not in the batch are resettled when an ancestor stops
 * being down, or when `resettle` lists them (e.g. a maintenance window ended).
 */
export function evaluateBatch(
  graph: SiteGraph,
  prev: ReadonlyMap<string, SiteAlertState>,
  checks: readonly SiteCheck[],
  ctxFor: (site: Site, ts: number) => Omit<ReduceContext, 'site' | 'parentDown'>,
  now: number,
  alsoResettle: readonly string[] = [],
): BatchResult {
  // The judged states over the previous ones, read through: a batch of a few checks costs a few
  // judgements, not a copy of every site's state (batches arrive many times per cycle).
  const changed = new Map<string, SiteAlertState>();
  const states = { get: (id: string) => changed.get(id) ?? prev.get(id), has: (id: string) => changed.has(id) || prev.has(id) };
  const effects: BatchResult['effects'] = [];
  const resettled: string[] = [];
  const perCheck: BatchResult['perCheck'] = [];
  const sorted = checks
    .filter((c) => graph.byId.has(c.site))
    .sort((a, b) => graph.rank.get(a.site)! - graph.rank.get(b.site)! || a.ts - b.ts || a.cycle - b.cycle);
  const wasDown = new Set([...graph.children.keys()].filter((id) => isDownForChildren(prev.get(id))));
  const toResettle = new Set(alsoResettle);

  const judge = (id: string, check: SiteCheck | null) => {
    const site = graph.byId.get(id)!;
    const before = states.get(id) ?? initialSiteState(id, now);
    const base = ctxFor(site, check?.ts ?? now);
    const ctx: ReduceContext = { ...base, site, parentDown: isAncestorDown(graph, id, states) };
    const r = check ? reduceSite(before, check, ctx) : resettle(before, ctx);
    changed.set(id, r.state);
    if (check) perCheck.push({ site: id, ts: check.ts, state: r.state.state });
    for (const e of r.effects) effects.push({ site: id, effect: e });
  };

  // Group by rank so that everything of one site (check + fast re-check) runs before its children.
  const bySite = new Map<string, SiteCheck[]>();
  for (const c of sorted) {
    const l = bySite.get(c.site) ?? [];
    l.push(c);
    bySite.set(c.site, l);
  }
  // Nothing to resettle (no ancestor was down, none asked for): only the checked sites, by rank.
  // (A batch of a few checks then costs a few judgements, not a walk over the whole inventory.)
  const order = wasDown.size === 0 && toResettle.size === 0 ? [...bySite.keys()] : graph.order;
  for (const id of order) {
    const cs = bySite.get(id);
    if (cs) {
      for (const c of cs) judge(id, c);
    } else if (states.has(id) && (toResettle.has(id) || (wasDown.size > 0 && (graph.ancestors.get(id) ?? []).some((a) => wasDown.has(a) && !isDownForChildren(states.get(a)))))) {
      judge(id, null);
      resettled.push(id);
    }
  }
  return {
    // the full map only for whoever asks (tests chain batches with it); the engine uses changed/view
    get states() { return new Map([...prev, ...changed]); },
    changed, view: states, effects, resettled, perCheck,
  };
}
