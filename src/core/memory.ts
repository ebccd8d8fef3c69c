/**
 * Give memory back between poll cycles when the process is over its memory budget: a full
 * collection while the poller idles lets V8 shrink the heap the cycle's burst grew. Not after every
 * cycle: a forced collection also frees the poll path's hidden classes, and the next cycle pays to
 * optimize its code again (docs/performance.md, "Memory between cycles").
 *
 * The collector is V8's `gc`, exposed by the `--expose-gc` flag that bin/pointwatch.js and the bench
 * start node with; the composition root hands it over (collectorFromRuntime), nothing here sets flags.
 */
export type Collector = () => void;

/** MB here is MiB (2^20 bytes): the unit of `ps`, `top` and every RSS figure the bench reports. */
const MIB = 2 ** 20;

/** V8's collector when node was started with --expose-gc, else null. */
export function collectorFromRuntime(): Collector | null {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? (gc as Collector) : null;
}

/**
 * After a cycle: a full collection when this process's RSS is above `budgetMb` (0: never) and a
 * collector is at hand. Returns what was measured and done (`gc_ms` null when no collection ran).
 */
export function compactIfAbove(
  budgetMb: number, collect: Collector | null, rssBytes: number = process.memoryUsage.rss(),
): { rss_mb: number; gc_ms: number | null } {
  const rss_mb = Math.round(rssBytes / MIB);
  if (budgetMb <= 0 || rssBytes <= budgetMb * MIB || !collect) return { rss_mb, gc_ms: null };
  const t0 = performance.now();
  collect();
  return { rss_mb, gc_ms: performance.now() - t0 };
}
