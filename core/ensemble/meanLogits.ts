/** Logit averaging: the weighted mean of the members' logits (apply softmax afterwards for probabilities). */
import { checkFinite, checkMembers, checkWeights, validWeights } from './validate.ts';
import { blockedWeightedMean } from './wasm/blockedAggregation.ts';
import { weightedMeanRows } from './weightedMean.ts';

/**
 * Σ_i w_i t_i / Σ_i w_i over members, for row-major [n, classes] logits.
 * Weights default to equal; they must be finite, >= 0 and not all zero.
 */
export function meanLogits(
  memberLogits: readonly Float32Array[],
  classes: number,
  weights?: readonly number[],
): Float32Array {
  checkMembers(memberLogits, classes, 'memberLogits');
  // One checked pass over blocks; anything it cannot vouch for goes through the checks below, in order.
  const valid = validWeights(weights, memberLogits.length);
  const fast = valid && blockedWeightedMean(memberLogits, classes, valid, 'finite');
  if (fast) return fast;
  memberLogits.forEach((t, i) => checkFinite(t, classes, `memberLogits[${i}]`));
  const w = checkWeights(weights, memberLogits.length);
  return Float32Array.from(weightedMeanRows(memberLogits, w));
}
