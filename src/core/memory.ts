/**
 * Give memory back between poll cycles, when the process is over its memory budget.
 *
 * A cycle allocates in a burst (SNMP decoding, points, line protocol: hundreds of MB at 5,000
 * sites) and V8 keeps the heap it grew for the burst: at 5,000 sites the heap holds ~45 MB of live
 * data in 120–200 MB committed (bench). A full, compacting collection right after the cycle, while
 * the poller idles until the next tick, lets V8 shrink the heap to what is live: ~80–150 ms at 5,000
 * sites for 50–80 MB less RSS.
 *
 * It is NOT free, and it is not done after every cycle. Such a collection (like V8's own
 * memory-reducing ones when a process idles) frees the hidden classes ("maps") that no live object
 * uses any more, and between two cycles that is every class of the poll path: net-snmp's BER reader
 * and writer, its messages and requests, dgram's send wrappers, the datagrams themselves. Every
 * optimized function that checked one of those maps is thrown away ("deoptimization, reason: weak
 * objects" in `node --trace-deopt`) and compiled again during the next cycle: ~60 functions, a
 * quarter to a third of the poller's CPU at 5,000 sites when done after every cycle. V8's ordinary
 * full collections keep such maps for a few collections (`--retain-maps-for-n-gc`), forced and
 * memory-reducing ones do not. So the scheduler compacts only when the RSS is above
 * `poller.rss_budget_mb` (compactIfAbove), and pointwatch runs with `--no-memory-reducer`
 * (bin/pointwatch.js).
 *
 * `--expose-gc` is set at run time and the collector fetched from a fresh context (V8 installs
 * `gc` there once the flag is on), so no command-line flag is needed.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: (() => void) | null | undefined;

function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    const existing = (globalThis as { gc?: () => void }).gc;
    if (typeof existing === 'function') collect = existing;
    else {
      v8.setFlagsFromString('--expose-gc');
      const fn: unknown = vm.runInNewContext('typeof gc === "function" ? gc : null');
      collect = typeof fn === 'function' ? (fn as () => void) : null;
    }
  } catch {
    collect = null;
  }
  return collect;
}

/** A full collection now. Returns the ms it took, or null when this runtime does not allow it. */
export function compactHeap(): number | null {
  const gc = collector();
  if (!gc) return null;
  const t0 = performance.now();
  gc();
  return performance.now() - t0;
}

/**
 * After a cycle: a full collection when this process's RSS is above `budgetMb` (0: never). Returns
 * what was measured and done (`gc_ms` null when no collection ran).
 */
export function compactIfAbove(budgetMb: number, rssBytes: number = process.memoryUsage.rss()): { rss_mb: number; gc_ms: number | null } {
  const rss_mb = Math.round(rssBytes / 1e6);
  if (budgetMb <= 0 || rssBytes <= budgetMb * 1e6) return { rss_mb, gc_ms: null };
  return { rss_mb, gc_ms: compactHeap() };
}
