/** Pure helpers of the poll cycle: which sites this process polls, and when each SNMP request starts. */
import type { Settings, Site } from '../config/schema.js';
import { communeRefMatches, groupRefMatches } from '../inventory/places.js';

export type Shard = Settings['poller']['shard'];

/**
 * The sites one poller process owns. No shard (or an empty one) = every site.
 * A site belongs to the shard when its province is in `provinces`, OR its commune is in
 * `communes`, OR its group is in `groups` (a commune or group may be written `Province/Name`:
 * commune names repeat across provinces). Order is kept.
 */
export function selectShard(sites: Site[], shard: Shard): Site[] {
  const provinces = new Set(shard?.provinces ?? []);
  const communes = shard?.communes ?? [];
  const groups = shard?.groups ?? [];
  if (provinces.size === 0 && communes.length === 0 && groups.length === 0) return sites;
  return sites.filter(
    (s) => provinces.has(s.province) || communes.some((c) => communeRefMatches(c, s)) || groups.some((g) => groupRefMatches(g, s)),
  );
}

/**
 * Start offsets (ms from cycle start) of `n` requests spread evenly over `windowMs`:
 * request i starts at i·window/n, so the last starts one slot before the window ends.
 * window 0 (spread off) → all start at once. With `tickMs`, offsets are rounded down to whole
 * ticks: the requests of one tick start together (one timer wake-up, answers read in one pass)
 * instead of one wake-up per site, still spread over the window.
 */
export function spreadOffsets(n: number, windowMs: number, tickMs = 1): number[] {
  if (n <= 0) return [];
  if (windowMs <= 0) return new Array<number>(n).fill(0);
  const slot = windowMs / n;
  const tick = Math.max(1, tickMs);
  return Array.from({ length: n }, (_, i) => Math.floor(Math.floor(i * slot) / tick) * tick);
}

/**
 * How long one site's SNMP poll may take before the cycle gives up on it: every request of a
 * walk may use timeout × (retries + 1); a system GET plus an interface walk is a handful of
 * requests. The cap keeps one dead or slow agent from holding the cycle.
 */
export function siteDeadlineMs(snmp: Settings['poller']['snmp'], what: { interfaces: boolean }): number {
  const perRequest = snmp.timeout_ms * (snmp.retries + 1);
  return perRequest * (what.interfaces ? 3 : 1) + 500;
}
