/**
 * Medians and rounding shared by the site and area figures of the coverage report (pure).
 * Kept apart so the aggregation files read as rules, not arithmetic.
 */

/** Minutes in ms. */
export const MIN = 60_000;

/** Rounded to `d` decimals (the report's figures are read by people, not summed again). */
export const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** The median of a multiset given as (value, count) pairs: the median of the list with each value repeated `count` times. */
export function weightedMedian(xs: ReadonlyArray<readonly [number, number]>): number | null {
  const s = xs.filter(([, w]) => w > 0).sort((a, b) => a[0] - b[0]);
  const total = s.reduce((n, [, w]) => n + w, 0);
  if (!(total > 0)) return null;
  // the values at (0-based) positions lo and hi of the expanded, sorted list
  const lo = Math.ceil(total / 2) - 1;
  const hi = Math.floor(total / 2);
  const at = (k: number) => {
    let cum = 0;
    for (const [v, w] of s) {
      cum += w;
      if (k < cum) return v;
    }
    return s[s.length - 1]![0];
  };
  return (at(lo) + at(hi)) / 2;
}
