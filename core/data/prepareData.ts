import { DatasetError, NonRetryableError } from '../errors.ts';
import type { DataSpec } from '../spec/job.ts';
import type { JobTask } from '../spec/jobTask.ts';
import type { PreparedData } from '../tasks/taskContext.ts';
import { diskDataFiles, type DataFiles } from './dataFiles.ts';
import { featureSize, type Dataset } from './dataset.ts';
import { applyNormalizer, fitNormalizer } from './normalize.ts';
import { deriveSeed } from './random.ts';
import { fitTargetScale, standardiseTargets } from './regression/targetScale.ts';
import { toShared } from './shared.ts';
import { subset, trainValidationSplit, validationSplitIndices } from './split.ts';
import { loadTrainTest } from './tabular/loadTrainTest.ts';
import { classesOf } from './validate.ts';

/** Salt of the validation split's seed, so it does not share a stream with any member. */
const SPLIT_SALT = 0x5eed;
/** Salt of the test split's seed (`data.testSplit`). */
const TEST_SALT = 0x7e57;

/**
 * Loads a job's train and test sources and makes the splits every task sees: reshape, hold out the
 * test split (seeded, with `testSplit`) and the validation split (seeded), fit the normaliser (and a regression job's target scale, and a table's
 * categories) on the training split only, apply it everywhere.
 * Deterministic, so every worker thread or process derives the same data from the same job.
 * The result's arrays are SharedArrayBuffer-backed, for worker threads to read without a copy.
 * Data files come from `from`: a folder (the job file's: relative paths resolve against it) or any
 * `DataFiles` (files in memory, or on disk under names the user gave them).
 */
export async function prepareData(
  spec: DataSpec,
  from: string | DataFiles,
  seed: number,
  task: JobTask = 'classification',
): Promise<PreparedData> {
  const files = typeof from === 'string' ? diskDataFiles(from) : from;
  const splitSeed = deriveSeed(seed, SPLIT_SALT);
  const testSplit = spec.testSplit;
  /** With `testSplit`: the rows of the train source kept for training and validation, and the test rows. */
  const testHoldOut = (count: number) =>
    testSplit === undefined
      ? undefined
      : validationSplitIndices(count, testSplit, deriveSeed(seed, TEST_SALT));
  const [source, testFile] = await loadTrainTest(spec, files, task, (count) => {
    const kept = testHoldOut(count)?.trainIndices;
    const rows = validationSplitIndices(kept?.length ?? count, spec.validationSplit, splitSeed).trainIndices;
    return kept ? rows.map((i) => kept[i]!) : rows;
  });
  const held = testHoldOut(source.count);
  const trainSource = held ? subset(source, held.trainIndices) : source;
  const testSource = held ? subset(source, held.validationIndices) : testFile;
  if (!testSource) throw new NonRetryableError('data: expected data.test or data.testSplit');
  const regression = task === 'regression';
  // A regression dataset has one target per sample, and its `classes` is 1.
  const classes = regression ? 1 : (spec.classes ?? Math.max(classesOf(trainSource), classesOf(testSource)));
  if (!regression && classes < 2) throw new NonRetryableError('data: the labels hold fewer than 2 classes');

  const train0 = reshape(trainSource, spec.sampleShape, 'data.train');
  const test0 = reshape(testSource, spec.sampleShape, 'data.test');
  if (featureSize(train0) !== featureSize(test0)) {
    throw new NonRetryableError(
      `data: train samples have ${featureSize(train0)} values but test samples have ${featureSize(test0)}`,
    );
  }
  const split = trainValidationSplit(train0, spec.validationSplit, splitSeed);
  const normalizer = fitNormalizer(split.train, spec.normalize);
  const targetScale = regression ? fitTargetScale(split.train) : undefined;
  const finish = (ds: Dataset) =>
    toShared(withClasses(standardiseTargets(applyNormalizer(ds, normalizer), targetScale), classes));
  return {
    train: finish(split.train),
    validation: finish(split.validation),
    test: finish(test0),
    classes,
    sampleShape: train0.sampleShape,
    ...(targetScale ? { targetScale } : {}),
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
