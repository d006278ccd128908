import { DatasetError } from '../errors.ts';
import type { Dataset } from './dataset.ts';
import { featureSize } from './dataset.ts';

/**
 * Checks that refuse bad data before it reaches training, each naming the file, the first offending
 * sample and what is wrong with it.
 */

/** Largest label + 1 (0 for no samples). */
export function classesOf(labels: Int32Array | Pick<Dataset, 'y'>): number {
  const y = labels instanceof Int32Array ? labels : labels.y;
  let max = -1;
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (v > max) max = v;
  }
  return max + 1;
}

/** Feature buffer has `count × featureSize` values (values not inspected). */
export function validateFeatureLayout(
  x: Float32Array,
  count: number,
  sampleShape: readonly number[],
  file: string,
): void {
  if (!Number.isInteger(count) || count < 0) throw new DatasetError(file, `invalid sample count ${count}`);
  if (sampleShape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new DatasetError(file, `invalid sample shape [${sampleShape.join(', ')}]`);
  }
  const size = featureSize({ sampleShape });
  if (x.length !== count * size) {
    throw new DatasetError(
      file,
      `expected ${count} samples × ${size} features = ${count * size} values, got ${x.length}`,
    );
  }
}

/** Feature buffer has `count × featureSize` values, all finite. */
export function validateFeatures(
  x: Float32Array,
  count: number,
  sampleShape: readonly number[],
  file: string,
): void {
  validateFeatureLayout(x, count, sampleShape, file);
  const size = featureSize({ sampleShape });
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    // v - v is 0 for every finite number and NaN for NaN and ±Infinity: one branch per value.
    if (v - v !== 0) {
      const sample = Math.floor(i / size);
      throw new DatasetError(
        file,
        `sample ${sample}, feature ${i - sample * size}: value ${v} (NaN or infinite features are not allowed)`,
      );
    }
  }
}

/** Label buffer has `count` values, each an integer in [0, classes). */
export function validateLabels(y: Int32Array, count: number, classes: number, file: string): void {
  if (y.length !== count) {
    throw new DatasetError(file, `sample/label count mismatch: ${count} samples but ${y.length} labels`);
  }
  if (count > 0 && (!Number.isInteger(classes) || classes < 1)) {
    throw new DatasetError(file, `invalid number of classes ${classes}`);
  }
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (v < 0 || v >= classes) {
      throw new DatasetError(file, `sample ${i}: label ${v} is outside the class range [0, ${classes})`);
    }
  }
}

/**
 * Validates a whole dataset. `file` names the source in errors; give `{ features, labels }` when
 * features and labels come from different files. `classes` defaults to `ds.classes`.
 */
export function validateDataset(
  ds: Dataset,
  file: string | { readonly features: string; readonly labels: string },
  classes: number = ds.classes,
): void {
  const files = typeof file === 'string' ? { features: file, labels: file } : file;
  validateFeatures(ds.x, ds.count, ds.sampleShape, files.features);
  validateLabels(ds.y, ds.count, classes, files.labels);
}
