import { NonRetryableError } from '../../errors.ts';
import type { Predictive } from './predictive.ts';

/**
 * The weighted mixture of the members' predictive distributions (a deep ensemble, Lakshminarayanan et
 * al. 2017): mean m = Σ w_i μ_i / Σ w_i, and, when every member has a variance, the mixture's total
 * variance Σ w_i (σ²_i + μ_i²) / Σ w_i − m² (the members' mean variance plus the spread of their means),
 * computed as Σ w_i (σ²_i + (μ_i − m)²) / Σ w_i so that no cancellation loses it. Without a variance
 * for every member, the mixture has only its mean.
 */
export function mixture(members: readonly Predictive[], weights?: readonly number[]): Predictive {
  const m = members.length;
  if (m === 0) throw new NonRetryableError('mixture: no members');
  const n = members[0]!.mean.length;
  if (members.some((p) => p.mean.length !== n))
    throw new NonRetryableError('mixture: members differ in length');
  const w = weights ?? new Array<number>(m).fill(1);
  if (w.length !== m || w.some((x) => !(x >= 0) || !Number.isFinite(x))) {
    throw new NonRetryableError(`mixture: expected ${m} finite weights >= 0`);
  }
  const total = w.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new NonRetryableError('mixture: the weights sum to 0');
  const mean = new Float64Array(n);
  members.forEach((p, i) => {
    const wi = w[i]! / total;
    if (wi === 0) return;
    for (let r = 0; r < n; r++) mean[r] = mean[r]! + wi * p.mean[r]!;
  });
  if (members.some((p) => p.variance === undefined)) return { mean };
  const variance = new Float64Array(n);
  members.forEach((p, i) => {
    const wi = w[i]! / total;
    if (wi === 0) return;
    for (let r = 0; r < n; r++) {
      const d = p.mean[r]! - mean[r]!;
      variance[r] = variance[r]! + wi * (p.variance![r]! + d * d);
    }
  });
  return { mean, variance };
}
