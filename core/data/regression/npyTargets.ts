import { DatasetError } from '../../errors.ts';
import type { Dataset } from '../dataset.ts';
import { npyFeatures, parseNpy, type NpyArray, type NpyFiles } from '../npy.ts';

const TARGET_DTYPES = new Set(['f4', 'f8', 'u1', 'i1', 'u2', 'i2', 'u4', 'i4']);

/**
 * An NPY features file paired with real-valued targets (float32 or float64, or integers read as
 * numbers) of shape (n,) or (n, 1): a regression dataset. NaN and infinite targets are refused.
 */
export function npyRegressionDataset(features: NpyArray, targets: NpyArray, files: NpyFiles): Dataset {
  if (!TARGET_DTYPES.has(targets.dtype)) {
    throw new DatasetError(
      files.labels,
      `regression targets must be float32, float64 or integers of at most 32 bits, got ${targets.dtype}`,
    );
  }
  const { x, count, sampleShape } = npyFeatures(features, targets, files);
  const values = Float32Array.from(targets.values as ArrayLike<number>);
  for (let i = 0; i < count; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      const what = Number.isNaN(v) ? 'NaN (a missing value?)' : 'infinite or beyond float32';
      throw new DatasetError(files.labels, `sample ${i}: the target is ${what}`);
    }
  }
  return { x, y: new Int32Array(count), targets: values, count, sampleShape, classes: 1 };
}

/** A features file's and a targets file's (gunzipped) bytes as a regression Dataset. */
export function npyRegressionFiles(
  featureBytes: Uint8Array,
  targetBytes: Uint8Array,
  files: NpyFiles,
): Dataset {
  return npyRegressionDataset(
    parseNpy(featureBytes, files.features),
    parseNpy(targetBytes, files.labels),
    files,
  );
}
