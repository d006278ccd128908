/**
 * An in-memory labelled dataset: features are row-major float32, one row per sample.
 * Buffers may be SharedArrayBuffers so that worker threads read them without a copy.
 */
export interface Dataset {
  /** Row-major features, `count * featureSize` values. */
  readonly x: Float32Array;
  /** Class index per sample, in `[0, classes)` (all 0 in a regression dataset). */
  readonly y: Int32Array;
  /** Regression: the target per sample (standardised once prepared); absent in classification. */
  readonly targets?: Float32Array;
  /** Number of samples. */
  readonly count: number;
  /** Shape of one sample, e.g. `[28, 28, 1]` or `[784]`. */
  readonly sampleShape: readonly number[];
  /** Number of classes (1 in a regression dataset: one target). */
  readonly classes: number;
}

/** Number of feature values per sample. */
export function featureSize(ds: Pick<Dataset, 'sampleShape'>): number {
  return ds.sampleShape.reduce((a, b) => a * b, 1);
}
