/**
 * Weighted mean over members of row-major [n, classes] arrays, in float64:
 * out = (Σ_i w_i x_i) / Σ_i w_i, summed in member order and divided last, as numpy's `average` does.
 * No input checks: callers validate members and weights.
 */
export function weightedMeanRows(members: readonly Float32Array[], weights: readonly number[]): Float64Array {
  const length = members[0]?.length ?? 0;
  const out = new Float64Array(length);
  let total = 0;
  for (const w of weights) total += w;
  members.forEach((m, i) => {
    const w = weights[i]!;
    if (w === 0) return; // a zero-weight member changes nothing
    for (let k = 0; k < length; k++) out[k] = out[k]! + w * m[k]!;
  });
  for (let k = 0; k < length; k++) out[k] = out[k]! / total;
  return out;
}
