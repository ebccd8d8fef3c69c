/**
 * Commune outages (pure): when at least `commune_outage.ratio` of one commune's sites (and at
 * least `min_sites`) went DOWN within `commune_outage.window` of each other, ONE commune-level
 * incident replaces the storm of per-site alerts.
 *
 * Kind: 'upstream-down' when every down site hangs off the same upstream site (a common
 * ancestor in the parent graph that still answers: the hop beyond it failed), else
 * 'power-cut-suspected' (independent links failing together: the usual cause is power). The
 * cause is confirmed at recovery from the routers' uptimes (see reducer: power / link).
 *
 * The outage ends when the rule no longer holds among its sites; any site still down then is
 * released to get its own alert.
 */
import type { Settings } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import { communeKey, placeOf } from '../inventory/places.js';

export interface CommuneSiteView {
  id: string;
  commune: string;
  group?: string;
  province: string;
  /** Epoch ms the site's own confirmed outage began; null when it is not DOWN on its own. */
  downSince: number | null;
  /** Ancestors in the parent graph, nearest first. */
  ancestors: readonly string[];
}

export type CommuneKind = 'power-cut-suspected' | 'upstream-down';

export interface CommuneOutage {
  /** communeKey: province + commune (names repeat across provinces). */
  key: string;
  commune: string;
  group?: string;
  province: string;
  kind: CommuneKind;
  /** The down sites, by outage start. */
  sites: string[];
  total: number;
  since: number;
  detail: string;
}

export { communeKey };

export interface CommuneDecision {
  /** Outages to open now (no open incident for that commune yet). */
  open: CommuneOutage[];
  /** Open outages whose rule no longer holds. */
  resolve: string[];
  /** Open outages still holding, with their current down sites (new sites join). */
  update: CommuneOutage[];
}

function pct(n: number): string {
  return String(Math.round(n * 100));
}

/** Is the rule met in one commune? Returns the largest group of outages starting within `window`. */
export function communeRule(sites: readonly CommuneSiteView[], settings: Settings): CommuneOutage | null {
  const first = sites[0];
  if (!first) return null;
  const { ratio, window, min_sites } = settings.alerting.commune_outage;
  const windowMs = parseDuration(window);
  const total = sites.length;
  const down = sites.filter((s) => s.downSince !== null).sort((a, b) => a.downSince! - b.downSince! || (a.id < b.id ? -1 : 1));
  let best: CommuneSiteView[] = [];
  for (let i = 0, j = 0; j < down.length; j++) {
    while (down[j]!.downSince! - down[i]!.downSince! > windowMs) i++;
    if (j - i + 1 > best.length) best = down.slice(i, j + 1);
  }
  if (best.length < min_sites || best.length / total < ratio) return null;
  const shared = best.map((s) => new Set(s.ancestors)).reduce((a, b) => new Set([...a].filter((x) => b.has(x))));
  const kind: CommuneKind = shared.size > 0 ? 'upstream-down' : 'power-cut-suspected';
  const what = kind === 'upstream-down' ? `upstream link suspected (all behind ${[...shared][0]})` : 'power cut suspected';
  return {
    key: communeKey(first), ...placeOf(first), kind,
    sites: best.map((s) => s.id), total, since: best[0]!.downSince!,
    detail: `${best.length} of ${total} sites down within ${window} (${pct(best.length / total)}% >= ${pct(ratio)}%): ${what}`,
  };
}

/**
 * Judge every commune. `open` maps commune key → the sites of its open outage. An open outage
 * holds while its sites still down meet the ratio and min_sites.
 */
export function evaluateCommunes(sites: readonly CommuneSiteView[], open: ReadonlyMap<string, readonly string[]>, settings: Settings): CommuneDecision {
  const byCommune = new Map<string, CommuneSiteView[]>();
  for (const s of sites) {
    const k = communeKey(s);
    const l = byCommune.get(k) ?? [];
    l.push(s);
    byCommune.set(k, l);
  }
  const { ratio, min_sites, window } = settings.alerting.commune_outage;
  const out: CommuneDecision = { open: [], resolve: [], update: [] };
  for (const [k, list] of byCommune) {
    const openSites = open.get(k);
    if (openSites) {
      const stillDown = list.filter((s) => s.downSince !== null);
      const n = stillDown.length;
      if (n < min_sites || n / list.length < ratio) {
        out.resolve.push(k);
      } else {
        const rule = communeRule(list, settings);
        const first = list[0]!;
        out.update.push({
          key: k, ...placeOf(first),
          kind: rule?.kind ?? 'power-cut-suspected',
          sites: stillDown.map((s) => s.id), total: list.length,
          since: Math.min(...stillDown.map((s) => s.downSince!)),
          detail: `${n} of ${list.length} sites down (${pct(n / list.length)}% >= ${pct(ratio)}%, window ${window})`,
        });
      }
    } else {
      const rule = communeRule(list, settings);
      if (rule) out.open.push(rule);
    }
  }
  for (const k of open.keys()) if (!byCommune.has(k)) out.resolve.push(k);
  return out;
}
