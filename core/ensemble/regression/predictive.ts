import { NonRetryableError } from '../../errors.ts';
import { varianceFromRaw } from './gaussianHead.ts';

/**
 * A regressor's predictions for n samples: the mean, and the variance when it has one (a Gaussian head,
 * a mixture, or a variance estimated from residuals). Float64, in whatever units the caller works in.
 */
export interface Predictive {
  mean: Float64Array;
  variance?: Float64Array;
}

/** Target units: y = offset + scale · z for standardised z (see core/data/regression/targetScale.ts). */
export interface Units {
  offset: number;
  scale: number;
}

export const STANDARD_UNITS: Units = { offset: 0, scale: 1 };

/**
 * A model's outputs ([n, 1] mean, or [n, 2] mean and raw variance of a Gaussian head) as a predictive
 * distribution in `units`: the mean mapped to offset + scale · μ, the variance to scale² · σ².
 */
export function predictiveOf(outputs: Float32Array, width: 1 | 2, units: Units = STANDARD_UNITS): Predictive {
  if (outputs.length % width !== 0) {
    throw new NonRetryableError(`${outputs.length} outputs are not rows of ${width}`);
  }
  const n = outputs.length / width;
  const mean = new Float64Array(n);
  for (let i = 0; i < n; i++) mean[i] = units.offset + units.scale * outputs[i * width]!;
  if (width === 1) return { mean };
  const variance = new Float64Array(n);
  const s2 = units.scale * units.scale;
  for (let i = 0; i < n; i++) variance[i] = s2 * varianceFromRaw(outputs[i * width + 1]!);
  return { mean, variance };
}

/** The same predictions with one variance for every sample (a homoscedastic Gaussian). */
export function withConstantVariance(p: Predictive, variance: number): Predictive {
  return { mean: p.mean, variance: new Float64Array(p.mean.length).fill(variance) };
}
