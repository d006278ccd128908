import { NonRetryableError } from '../../errors.ts';

/**
 * The per-sample median of the members' means (unweighted; with an even number of members, the mean of
 * the two middle values, as numpy.median). A point prediction: robust to one member far off.
 */
export function medianOfMeans(means: readonly Float64Array[]): Float64Array {
  const m = means.length;
  if (m === 0) throw new NonRetryableError('median: no members');
  const n = means[0]!.length;
  if (means.some((p) => p.length !== n)) throw new NonRetryableError('median: members differ in length');
  const out = new Float64Array(n);
  const column = new Float64Array(m);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < m; i++) column[i] = means[i]![r]!;
    column.sort();
    const mid = m >> 1;
    out[r] = m % 2 === 1 ? column[mid]! : (column[mid - 1]! + column[mid]!) / 2;
  }
  return out;
}
