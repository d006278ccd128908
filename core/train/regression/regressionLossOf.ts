import { varianceFromRaw } from '../../ensemble/regression/gaussianHead.ts';
import type { OutputHead } from '../../spec/jobTask.ts';

/**
 * The training loss of `regressionLoss` without a teacher, in float64 over a whole split: the mean
 * squared error of a linear output, or the Gaussian negative log-likelihood of a Gaussian head, on
 * standardised targets. `outputs` are the model's, [count, 1] or [count, 2].
 */
export function regressionLossOf(outputs: Float32Array, targets: Float32Array, head: OutputHead): number {
  const n = targets.length;
  if (n === 0) return Number.NaN;
  const width = head === 'gaussian' ? 2 : 1;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const error = targets[i]! - outputs[i * width]!;
    if (width === 1) {
      sum += error * error;
      continue;
    }
    const variance = varianceFromRaw(outputs[i * width + 1]!);
    sum += 0.5 * Math.log(2 * Math.PI * variance) + (error * error) / (2 * variance);
  }
  return sum / n;
}
