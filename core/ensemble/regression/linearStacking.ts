import { NonRetryableError } from '../../errors.ts';

/** A linear combiner of the members' means: ŷ = intercept + Σ_i weights[i] · μ_i. */
export interface LinearCombiner {
  weights: number[];
  intercept: number;
}

/** Ridge strength per sample: λ = RIDGE_PER_SAMPLE · n on the weights (never the intercept). */
export const RIDGE_PER_SAMPLE = 0.01;

/**
 * Least squares with an intercept and a small ridge penalty on the weights, in float64: minimises
 * Σ_r (y_r − b − Σ_i w_i x_ir)² + λ Σ_i w_i², solved exactly through the normal equations on centred
 * columns (the intercept is then ȳ − Σ w_i x̄_i). Members' means are strongly correlated; the penalty
 * keeps their weights finite and stable where plain least squares would trade huge opposite weights.
 */
export function fitLinearCombiner(
  means: readonly ArrayLike<number>[],
  targets: ArrayLike<number>,
  ridgePerSample = RIDGE_PER_SAMPLE,
): LinearCombiner {
  const m = means.length;
  const n = targets.length;
  if (m === 0) throw new NonRetryableError('stacking: no members');
  if (n === 0) throw new NonRetryableError('stacking: no rows to fit the combiner on');
  if (means.some((x) => x.length !== n))
    throw new NonRetryableError('stacking: members and targets differ in length');
  const xMean = means.map((x) => {
    let s = 0;
    for (let r = 0; r < n; r++) s += x[r]!;
    return s / n;
  });
  let yMean = 0;
  for (let r = 0; r < n; r++) yMean += targets[r]!;
  yMean /= n;
  // A = XcᵀXc + λI, b = Xcᵀyc.
  const a = Array.from({ length: m }, () => new Float64Array(m));
  const b = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const xi = means[i]!;
    for (let r = 0; r < n; r++) b[i] = b[i]! + (xi[r]! - xMean[i]!) * (targets[r]! - yMean);
    for (let j = i; j < m; j++) {
      const xj = means[j]!;
      let s = 0;
      for (let r = 0; r < n; r++) s += (xi[r]! - xMean[i]!) * (xj[r]! - xMean[j]!);
      a[i]![j] = s;
      a[j]![i] = s;
    }
    a[i]![i] = a[i]![i]! + ridgePerSample * n;
  }
  const weights = solveSymmetric(a, b);
  const intercept = yMean - weights.reduce((s, w, i) => s + w * xMean[i]!, 0);
  return { weights, intercept };
}

/** ŷ for every row. */
export function applyLinearCombiner(c: LinearCombiner, means: readonly ArrayLike<number>[]): Float64Array {
  const n = means[0]?.length ?? 0;
  const out = new Float64Array(n).fill(c.intercept);
  c.weights.forEach((w, i) => {
    const x = means[i]!;
    for (let r = 0; r < n; r++) out[r] = out[r]! + w * x[r]!;
  });
  return out;
}

/** Gaussian elimination with partial pivoting (A is m × m, m = members: small). */
function solveSymmetric(a: Float64Array[], b: Float64Array): number[] {
  const m = b.length;
  const rows = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < m; c++) {
    let pivot = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(rows[r]![c]!) > Math.abs(rows[pivot]![c]!)) pivot = r;
    [rows[c], rows[pivot]] = [rows[pivot]!, rows[c]!];
    const p = rows[c]![c]!;
    if (!(Math.abs(p) > 0)) throw new NonRetryableError('stacking: the members’ predictions are degenerate');
    for (let r = c + 1; r < m; r++) {
      const f = rows[r]![c]! / p;
      if (f === 0) continue;
      for (let k = c; k <= m; k++) rows[r]![k] = rows[r]![k]! - f * rows[c]![k]!;
    }
  }
  const x = new Array<number>(m).fill(0);
  for (let r = m - 1; r >= 0; r--) {
    let s = rows[r]![m]!;
    for (let k = r + 1; k < m; k++) s -= rows[r]![k]! * x[k]!;
    x[r] = s / rows[r]![r]!;
  }
  return x;
}
