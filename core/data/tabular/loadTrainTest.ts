import { DatasetError } from '../../errors.ts';
import type { DataSpec } from '../../spec/job.ts';
import type { JobTask } from '../../spec/jobTask.ts';
import type { DataFiles } from '../dataFiles.ts';
import type { Dataset } from '../dataset.ts';
import { loadSource } from '../load.ts';
import { fitCategories } from './encodeTable.ts';
import { usesTableReader } from './tableLayout.ts';
import { encodeTableSource, hasCategories, readTableSource } from './tableSource.ts';

/**
 * Loads a job's train and test sources. A training table with categorical columns has its categories
 * fitted on the rows of the training split (`trainingRows(count)`: the rows left once the validation
 * split is held out), and the test table is encoded with them; every other source loads on its own.
 */
export async function loadTrainTest(
  spec: DataSpec,
  files: DataFiles,
  task: JobTask,
  trainingRows: (count: number) => ArrayLike<number>,
): Promise<[Dataset, Dataset]> {
  const options = { task, ...(spec.classes ? { classes: spec.classes } : {}) };
  const { train, test } = spec;
  if (train.format !== 'csv' || !usesTableReader(train, task)) {
    return Promise.all([loadSource(train, files, options), loadSource(test, files, options)]);
  }
  const trainTable = await readTableSource(train, files);
  if (!hasCategories(trainTable)) {
    return [
      encodeTableSource(trainTable, task, new Map(), spec.classes),
      await loadSource(test, files, options),
    ];
  }
  const categories = fitCategories(
    trainTable.table,
    trainTable.selection,
    trainingRows(trainTable.table.count),
    trainTable.file,
  );
  if (test.format !== 'csv') {
    throw new DatasetError(
      'data.test',
      'data.train has categorical columns: data.test must be a csv table with the same features',
    );
  }
  const testTable = await readTableSource(test, files);
  const trainKinds = trainTable.selection.features.map((c) => c.categorical);
  const testKinds = testTable.selection.features.map((c) => c.categorical);
  if (trainKinds.length !== testKinds.length || trainKinds.some((k, i) => k !== testKinds[i])) {
    throw new DatasetError(
      testTable.file,
      `its ${testKinds.length} features (categorical at ${positions(testKinds)}) do not line up with ` +
        `data.train's ${trainKinds.length} (categorical at ${positions(trainKinds)})`,
    );
  }
  return [
    encodeTableSource(trainTable, task, categories, spec.classes),
    encodeTableSource(testTable, task, categories, spec.classes),
  ];
}

function positions(kinds: readonly boolean[]): string {
  const at = kinds.flatMap((k, i) => (k ? [i] : []));
  return at.length === 0 ? 'none' : at.join(', ');
}
