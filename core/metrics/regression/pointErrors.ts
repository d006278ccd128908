import { NonRetryableError } from '../../errors.ts';

function check(predictions: ArrayLike<number>, targets: ArrayLike<number>, what: string): number {
  const n = targets.length;
  if (predictions.length !== n) {
    throw new NonRetryableError(`${what}: ${predictions.length} predictions for ${n} targets`);
  }
  if (n === 0) throw new NonRetryableError(`${what}: no samples`);
  return n;
}

/** Root mean squared error, in the targets' units. */
export function rootMeanSquaredError(predictions: ArrayLike<number>, targets: ArrayLike<number>): number {
  const n = check(predictions, targets, 'RMSE');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (targets[i]! - predictions[i]!) ** 2;
  return Math.sqrt(sum / n);
}

/** Mean absolute error, in the targets' units. */
export function meanAbsoluteError(predictions: ArrayLike<number>, targets: ArrayLike<number>): number {
  const n = check(predictions, targets, 'MAE');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs(targets[i]! - predictions[i]!);
  return sum / n;
}

/**
 * The coefficient of determination 1 − Σ(y − ŷ)² / Σ(y − ȳ)², ȳ the targets' own mean (scikit-learn's
 * r2_score): 1 is perfect, 0 is no better than predicting ȳ, and it is negative when worse. Constant
 * targets give 1 for a perfect fit and 0 otherwise (as scikit-learn does).
 */
export function coefficientOfDetermination(
  predictions: ArrayLike<number>,
  targets: ArrayLike<number>,
): number {
  const n = check(predictions, targets, 'R²');
  let mean = 0;
  for (let i = 0; i < n; i++) mean += targets[i]!;
  mean /= n;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    residual += (targets[i]! - predictions[i]!) ** 2;
    total += (targets[i]! - mean) ** 2;
  }
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}
