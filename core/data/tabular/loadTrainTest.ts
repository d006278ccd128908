import { DatasetError } from '../../errors.ts';
import type { DataSpec } from '../../spec/job.ts';
import type { JobTask } from '../../spec/jobTask.ts';
import type { DataFiles } from '../dataFiles.ts';
import type { Dataset } from '../dataset.ts';
import { loadSource } from '../load.ts';
import { fitCategories } from './encodeTable.ts';
import { usesTableReader } from './tableLayout.ts';
import { encodeTableSource, hasCategories, readTableSource, type TableSource } from './tableSource.ts';

/**
 * Loads a job's train source and its test source (none with `data.testSplit`: the test split is then
 * held out of the train source later). A training table with categorical columns has its categories
 * fitted on the rows of the training split (`trainingRows(count)`: the rows left once the test and
 * validation splits are held out), and the test table is encoded with them; every other source loads
 * on its own.
 */
export async function loadTrainTest(
  spec: DataSpec,
  files: DataFiles,
  task: JobTask,
  trainingRows: (count: number) => ArrayLike<number>,
): Promise<[Dataset, Dataset | undefined]> {
  const options = { task, ...(spec.classes ? { classes: spec.classes } : {}) };
  const { train, test } = spec;
  const loadTest = () => (test ? loadSource(test, files, options) : Promise.resolve(undefined));
  if (train.format !== 'csv' || !usesTableReader(train, task)) {
    return Promise.all([loadSource(train, files, options), loadTest()]);
  }
  const trainTable = await readTableSource(train, files);
  if (!hasCategories(trainTable)) {
    return [encodeTableSource(trainTable, task, new Map(), spec.classes), await loadTest()];
  }
  const categories = fitCategories(
    trainTable.table,
    trainTable.selection,
    trainingRows(trainTable.table.count),
    trainTable.file,
  );
  const encoded = encodeTableSource(trainTable, task, categories, spec.classes);
  if (!test) return [encoded, undefined];
  if (test.format !== 'csv') {
    throw new DatasetError(
      'data.test',
      'data.train has categorical columns: data.test must be a csv table with the same features',
    );
  }
  const testTable = await readTableSource(test, files);
  checkSameFeatures(trainTable, testTable);
  return [encoded, encodeTableSource(testTable, task, categories, spec.classes)];
}

/** The test table's features must be categorical where the training table's are. */
function checkSameFeatures(train: TableSource, test: TableSource): void {
  const trainKinds = train.selection.features.map((c) => c.categorical);
  const testKinds = test.selection.features.map((c) => c.categorical);
  if (trainKinds.length !== testKinds.length || trainKinds.some((k, i) => k !== testKinds[i])) {
    throw new DatasetError(
      test.file,
      `its ${testKinds.length} features (categorical at ${positions(testKinds)}) do not line up with ` +
        `data.train's ${trainKinds.length} (categorical at ${positions(trainKinds)})`,
    );
  }
}

function positions(kinds: readonly boolean[]): string {
  const at = kinds.flatMap((k, i) => (k ? [i] : []));
  return at.length === 0 ? 'none' : at.join(', ');
}
