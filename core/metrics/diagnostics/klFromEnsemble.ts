import { NonRetryableError } from '../../errors.ts';
import { NLL_EPSILON } from '../negativeLogLikelihood.ts';

/**
 * The mean over samples of KL(p_member ‖ p_ensemble) = Σ_c p_c (log p_c − log q_c), in nats, for each
 * member, where q is the ensemble's (soft vote's) probabilities; 0 · log 0 = 0, and q is floored at
 * NLL_EPSILON. With q the plain mean of the members, the mean of these over members is the ensemble's
 * generalised Jensen–Shannon divergence H(q) − mean H(p_i): how much the members' beliefs spread.
 */
export function klFromEnsemble(
  memberProbabilities: readonly Float32Array[],
  ensembleProbabilities: Float32Array,
  classes: number,
): number[] {
  const n = ensembleProbabilities.length / classes;
  if (!Number.isInteger(n) || n === 0) throw new NonRetryableError('KL: the ensemble has no whole rows');
  return memberProbabilities.map((p, i) => {
    if (p.length !== ensembleProbabilities.length) {
      throw new NonRetryableError(
        `KL: member ${i} has ${p.length} values, the ensemble ${ensembleProbabilities.length}`,
      );
    }
    let sum = 0;
    for (let k = 0; k < p.length; k++) {
      const pk = p[k]!;
      if (pk > 0) sum += pk * (Math.log(pk) - Math.log(Math.max(ensembleProbabilities[k]!, NLL_EPSILON)));
    }
    return sum / n;
  });
}
