/** Mean negative log-likelihood of the true class: (1/n) Σ_i −log max(p_i[y_i], NLL_EPSILON). */
import { checkLabels, checkNonEmpty, checkProbabilities, rowsOf } from '../ensemble/validate.ts';

/**
 * Probabilities below this are raised to it before the log, so one confident mistake costs at most
 * −log(1e-12) ≈ 27.63 instead of making the mean infinite (float32 softmax does reach exactly 0).
 */
export const NLL_EPSILON = 1e-12;

export function negativeLogLikelihood(
  probabilities: Float32Array,
  labels: Int32Array,
  classes: number,
): number {
  const n = rowsOf(probabilities, classes, 'probabilities');
  checkNonEmpty(n, 'probabilities');
  checkProbabilities(probabilities, classes, 'probabilities');
  checkLabels(labels, n, classes);
  let sum = 0;
  for (let i = 0; i < n; i++)
    sum -= Math.log(Math.max(probabilities[i * classes + labels[i]!]!, NLL_EPSILON));
  return sum / n;
}
