/** Small statistics helpers for benchmark results. */

/** Median of `values` (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Smallest and largest of `values`; NaN when empty. */
export function range(values: readonly number[]): { min: number; max: number } {
  if (values.length === 0) return { min: Number.NaN, max: Number.NaN };
  return { min: Math.min(...values), max: Math.max(...values) };
}

/**
 * The `q`-quantile (0..1) of the first `count` entries of `samples`, nearest-rank.
 * Sorts that prefix in place (callers pass a scratch buffer).
 */
export function quantile(samples: Float64Array, count: number, q: number): number {
  if (count === 0) return Number.NaN;
  const view = samples.subarray(0, count);
  view.sort();
  const rank = Math.min(count - 1, Math.max(0, Math.ceil(q * count) - 1));
  return view[rank]!;
}
