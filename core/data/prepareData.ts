import { DatasetError, NonRetryableError } from '../errors.ts';
import type { DataSpec } from '../spec/job.ts';
import type { PreparedData } from '../tasks/taskContext.ts';
import type { DataFiles } from './dataFiles.ts';
import { featureSize, type Dataset } from './dataset.ts';
import { loadSource } from './load.ts';
import { applyNormalizer, fitNormalizer } from './normalize.ts';
import { deriveSeed } from './random.ts';
import { toShared } from './shared.ts';
import { trainValidationSplit } from './split.ts';
import { classesOf } from './validate.ts';

/** Salt of the validation split's seed, so it does not share a stream with any member. */
const SPLIT_SALT = 0x5eed;

/**
 * Loads a job's train and test sources and makes the splits every task sees: reshape, hold out the
 * validation split (seeded), fit the normaliser on the training split only, apply it everywhere.
 * Deterministic, so every worker thread or process derives the same data from the same job.
 * The result's arrays are SharedArrayBuffer-backed, for worker threads to read without a copy.
 * Data files come from `from`: a folder (the job file's: relative paths resolve against it) or any
 * `DataFiles` (files in memory, or on disk under names the user gave them).
 */
export async function prepareData(
  spec: DataSpec,
  from: string | DataFiles,
  seed: number,
): Promise<PreparedData> {
  const [trainSource, testSource] = await Promise.all([
    loadSource(spec.train, from, spec.classes ? { classes: spec.classes } : {}),
    loadSource(spec.test, from, spec.classes ? { classes: spec.classes } : {}),
  ]);
  const classes = spec.classes ?? Math.max(classesOf(trainSource), classesOf(testSource));
  if (classes < 2) throw new NonRetryableError('data: the labels hold fewer than 2 classes');

  const train0 = reshape(trainSource, spec.sampleShape, 'data.train');
  const test0 = reshape(testSource, spec.sampleShape, 'data.test');
  if (featureSize(train0) !== featureSize(test0)) {
    throw new NonRetryableError(
      `data: train samples have ${featureSize(train0)} values but test samples have ${featureSize(test0)}`,
    );
  }
  const split = trainValidationSplit(train0, spec.validationSplit, deriveSeed(seed, SPLIT_SALT));
  const normalizer = fitNormalizer(split.train, spec.normalize);
  const finish = (ds: Dataset) => toShared(withClasses(applyNormalizer(ds, normalizer), classes));
  return {
    train: finish(split.train),
    validation: finish(split.validation),
    test: finish(test0),
    classes,
    sampleShape: train0.sampleShape,
  };
}

function reshape(ds: Dataset, shape: readonly number[] | undefined, where: string): Dataset {
  if (!shape) return ds;
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== featureSize(ds)) {
    throw new DatasetError(
      where,
      `data.sampleShape [${shape.join(', ')}] holds ${size} values but each sample has ${featureSize(ds)} ([${ds.sampleShape.join(', ')}])`,
    );
  }
  return { ...ds, sampleShape: [...shape] };
}

function withClasses(ds: Dataset, classes: number): Dataset {
  return ds.classes === classes ? ds : { ...ds, classes };
}
