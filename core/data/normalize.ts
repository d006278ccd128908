import { NonRetryableError } from '../errors.ts';
import type { Normalization } from '../spec/data.ts';
import type { Dataset } from './dataset.ts';
import { featureSize } from './dataset.ts';

/**
 * Feature scaling as a plain, JSON-serialisable object: fitted once on the training split, shipped to
 * every task (members, teacher, student) so they all see the same inputs.
 */
export type Normalizer =
  | { readonly kind: 'none' }
  | { readonly kind: 'scale255' }
  | { readonly kind: 'standardize'; readonly mean: readonly number[]; readonly std: readonly number[] };

/**
 * Fits `kind` on `train`. `standardize` takes the per-feature mean and population standard deviation of
 * the training split only (so no validation/test information leaks in); a constant feature gets std 1.
 */
export function fitNormalizer(train: Dataset, kind: Normalization): Normalizer {
  if (kind === 'none' || kind === 'scale255') return { kind };
  const f = featureSize(train);
  const n = train.count;
  if (n === 0) throw new NonRetryableError('standardize: cannot fit on an empty training set');
  const x = train.x;
  // Two passes in float64: the one-pass formula loses everything to cancellation on large offsets.
  const mean = new Float64Array(f);
  for (let i = 0; i < n; i++) {
    const row = i * f;
    for (let j = 0; j < f; j++) mean[j] = (mean[j] as number) + (x[row + j] as number);
  }
  for (let j = 0; j < f; j++) mean[j] = (mean[j] as number) / n;
  const sq = new Float64Array(f);
  for (let i = 0; i < n; i++) {
    const row = i * f;
    for (let j = 0; j < f; j++) {
      const dlt = (x[row + j] as number) - (mean[j] as number);
      sq[j] = (sq[j] as number) + dlt * dlt;
    }
  }
  const std = Array.from(sq, (s, j) => {
    const sd = Math.sqrt(s / n);
    // A constant feature: exactly 0, or rounding noise far below its magnitude. Dividing by it would blow up.
    return sd === 0 || sd <= 1e-9 * Math.abs(mean[j] as number) ? 1 : sd;
  });
  return { kind, mean: Array.from(mean), std };
}

/** Applies a fitted normalizer; returns a new Dataset (or `ds` itself for `none`). */
export function applyNormalizer(ds: Dataset, normalizer: Normalizer): Dataset {
  switch (normalizer.kind) {
    case 'none':
      return ds;
    case 'scale255': {
      const x = new Float32Array(ds.x.length);
      for (let i = 0; i < x.length; i++) x[i] = (ds.x[i] as number) / 255;
      return { ...ds, x };
    }
    case 'standardize': {
      const f = featureSize(ds);
      const { mean, std } = normalizer;
      if (mean.length !== f || std.length !== f) {
        throw new NonRetryableError(
          `standardize: normalizer was fitted on ${mean.length} features, the dataset has ${f}`,
        );
      }
      const scale = Float64Array.from(std, (s) => 1 / s);
      const x = new Float32Array(ds.x.length);
      for (let i = 0; i < ds.count; i++) {
        const row = i * f;
        for (let j = 0; j < f; j++) {
          x[row + j] = ((ds.x[row + j] as number) - (mean[j] as number)) * (scale[j] as number);
        }
      }
      return { ...ds, x };
    }
  }
}
