import { NonRetryableError } from '../../errors.ts';

/**
 * The variance of a point predictor's errors, estimated from held-out residuals: Σ (y − ŷ)² / (n − p),
 * with p the parameters fitted on those same rows (0 for residuals of data the predictor never saw;
 * the combiner's weights and intercept when it was fitted on them). It gives a point predictor (a
 * linear member, the median, a stacking combiner) a homoscedastic Gaussian for NLL and intervals.
 */
export function residualVariance(
  targets: ArrayLike<number>,
  predictions: ArrayLike<number>,
  fitted = 0,
): number {
  const n = targets.length;
  if (predictions.length !== n) throw new NonRetryableError('residual variance: lengths differ');
  if (n - fitted < 1) {
    throw new NonRetryableError(
      `residual variance: ${n} residuals cannot estimate it after fitting ${fitted} values`,
    );
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (targets[i]! - predictions[i]!) ** 2;
  // A perfect fit would claim no uncertainty at all: keep the variance positive.
  return Math.max(sum / (n - fitted), 1e-12);
}
