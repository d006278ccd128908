/** Soft voting: the weighted mean of the members' probabilities (scikit-learn's `voting='soft'`). */
import { checkMembers, checkProbabilities, checkWeights, validWeights } from './validate.ts';
import { blockedWeightedMean } from './wasm/blockedAggregation.ts';
import { weightedMeanRows } from './weightedMean.ts';

/**
 * Σ_i w_i p_i / Σ_i w_i over members, for row-major [n, classes] probabilities.
 * Weights default to equal; they must be finite, >= 0 and not all zero.
 */
export function softVote(
  memberProbabilities: readonly Float32Array[],
  classes: number,
  weights?: readonly number[],
): Float32Array {
  checkMembers(memberProbabilities, classes, 'memberProbabilities');
  // One checked pass over blocks; anything it cannot vouch for goes through the checks below, in order.
  const valid = validWeights(weights, memberProbabilities.length);
  const fast = valid && blockedWeightedMean(memberProbabilities, classes, valid, 'probabilities');
  if (fast) return fast;
  memberProbabilities.forEach((p, i) => checkProbabilities(p, classes, `memberProbabilities[${i}]`));
  const w = checkWeights(weights, memberProbabilities.length);
  return Float32Array.from(weightedMeanRows(memberProbabilities, w));
}
