/**
 * Give memory back between poll cycles.
 *
 * A cycle allocates in a burst (SNMP decoding, points, line protocol: hundreds of MB at 5,000
 * sites) and V8 keeps the heap it grew for the burst: at 5,000 sites the heap holds ~43 MB of live
 * data in 120–170 MB committed (bench). A full, compacting collection right after the cycle, while
 * the poller idles until the next tick, lets V8 shrink the heap to what is live: measured
 * ~80–180 ms at 5,000 sites for ~80 MB less RSS. It runs only when the cycle has finished, never
 * inside one.
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
