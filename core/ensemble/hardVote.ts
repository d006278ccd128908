/**
 * Hard voting (scikit-learn's `voting='hard'`): each member votes for its argmax class with its weight;
 * the class with the most weighted votes wins, ties going to the lowest class index.
 */
import { argmaxRow } from '../metrics/argmaxRows.ts';
import { checkFinite, checkMembers, checkWeights, validWeights } from './validate.ts';
import { blockedHardVote } from './wasm/blockedAggregation.ts';

/**
 * Weighted vote totals, row-major [n, classes] float64. A member's vote goes to its row argmax (ties inside a
 * member's row → lowest index). Weights are summed in member order in float64, exactly as numpy's
 * `bincount(votes, weights)` does, so ties between sums of fractional weights resolve as in scikit-learn.
 * `memberScores` may be logits or probabilities: only each row's argmax is used.
 */
export function weightedVotes(
  memberScores: readonly Float32Array[],
  classes: number,
  weights?: readonly number[],
): Float64Array {
  const n = checkMembers(memberScores, classes, 'memberScores');
  memberScores.forEach((s, i) => checkFinite(s, classes, `memberScores[${i}]`));
  const w = checkWeights(weights, memberScores.length);
  const votes = new Float64Array(n * classes);
  memberScores.forEach((scores, i) => {
    const wi = w[i]!;
    for (let r = 0; r < n; r++) {
      const k = r * classes + argmaxRow(scores, r * classes, classes);
      votes[k] = votes[k]! + wi;
    }
  });
  return votes;
}

/** The winning class per sample: argmax of the weighted votes, ties → lowest class index. */
export function hardVote(
  memberScores: readonly Float32Array[],
  classes: number,
  weights?: readonly number[],
): Int32Array {
  checkMembers(memberScores, classes, 'memberScores');
  // One checked pass over blocks; anything it cannot vouch for goes through weightedVotes' checks, in order.
  const valid = validWeights(weights, memberScores.length);
  const fast = valid && blockedHardVote(memberScores, classes, valid);
  if (fast) return fast;
  const votes = weightedVotes(memberScores, classes, weights);
  const n = votes.length / classes;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) out[r] = argmaxRow(votes, r * classes, classes);
  return out;
}
