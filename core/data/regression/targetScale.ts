import { NonRetryableError } from '../../errors.ts';
import type { Dataset } from '../dataset.ts';

/**
 * Regression targets are standardised with the training split's mean and standard deviation (members
 * train on targets of unit scale, whatever the units), and every prediction is mapped back to the
 * original units for the report: y = mean + std · z, a variance times std².
 */
export interface TargetScale {
  readonly mean: number;
  readonly std: number;
}

/** Mean and population standard deviation of the targets, in float64 (a constant target gets std 1). */
export function fitTargetScale(train: Dataset): TargetScale {
  const t = train.targets;
  if (!t || t.length === 0) throw new NonRetryableError('regression: no training targets to standardise');
  let sum = 0;
  for (let i = 0; i < t.length; i++) sum += t[i]!;
  const mean = sum / t.length;
  let sq = 0;
  for (let i = 0; i < t.length; i++) sq += (t[i]! - mean) ** 2;
  const std = Math.sqrt(sq / t.length);
  return { mean, std: std === 0 || std <= 1e-9 * Math.abs(mean) ? 1 : std };
}

/** The dataset with standardised targets (a copy); classification datasets are returned as they are. */
export function standardiseTargets(ds: Dataset, scale: TargetScale | undefined): Dataset {
  if (!scale || !ds.targets) return ds;
  const targets = new Float32Array(ds.targets.length);
  for (let i = 0; i < targets.length; i++) targets[i] = (ds.targets[i]! - scale.mean) / scale.std;
  return { ...ds, targets };
}

/** Standardised values back in the target's units. */
export function toTargetUnits(z: number, scale: TargetScale): number {
  return scale.mean + scale.std * z;
}
