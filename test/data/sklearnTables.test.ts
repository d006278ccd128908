import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { Dataset } from '../../core/data/dataset.ts';
import { loadSource } from '../../core/data/load.ts';
import { prepareData } from '../../core/data/prepareData.ts';
import { dataSpec } from '../../core/spec/job.ts';
import type { DataSource } from '../../core/spec/data.ts';
import { put, tempDir } from './helpers.ts';

/**
 * The real CSVs Debian's python3-sklearn ships, read as data files by Chorus's table reader, against
 * what scikit-learn's own loaders make of the same files (/usr/bin/python3, a test-only peer):
 * Boston housing and diabetes (regression), wine and breast cancer (tabular classification).
 */

const DATA = '/usr/lib/python3/dist-packages/sklearn/datasets/data';
const PYTHON = '/usr/bin/python3';
const REFERENCE = fileURLToPath(new URL('./sklearnTables.py', import.meta.url));

interface Table {
  x: number[][];
  y: number[];
}
interface Reference {
  boston: Table;
  wine: Table;
  breastCancer: Table;
  diabetes: Table;
  breastCancerNames: string[];
}

let cached: Reference | undefined;
function reference(): Reference {
  if (cached) return cached;
  const python = spawnSync(PYTHON, [REFERENCE], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(python.status, 0, `${PYTHON} ${REFERENCE} failed: ${python.stderr}`);
  cached = JSON.parse(python.stdout) as Reference;
  return cached;
}

/** Features as float32 (as Chorus stores them), and labels or float32 targets. */
function sameTable(ds: Dataset, ref: Table, task: 'classification' | 'regression'): void {
  const width = ref.x[0]!.length;
  assert.equal(ds.count, ref.y.length, 'rows');
  assert.deepEqual(ds.sampleShape, [width]);
  assert.deepEqual(Array.from(ds.x), ref.x.flat().map(Math.fround));
  if (task === 'regression') assert.deepEqual(Array.from(ds.targets ?? []), ref.y.map(Math.fround));
  else assert.deepEqual(Array.from(ds.y), ref.y);
}

test('Boston housing: a line of counts skipped, the quoted header read, MEDV as the regression target', async () => {
  const source: DataSource = {
    format: 'csv',
    path: `${DATA}/boston_house_prices.csv`,
    skipLines: 1,
    labelColumn: 'MEDV',
  };
  const ds = await loadSource(source, DATA, { task: 'regression' });
  sameTable(ds, reference().boston, 'regression');
  assert.deepEqual([ds.count, ds.targets?.[0]], [506, 24]);
});

test('wine: no header, the label by index; breast cancer: columns named in the job, the label by name', async () => {
  const wine = await loadSource(
    { format: 'csv', path: `${DATA}/wine_data.csv`, skipLines: 1, header: false, labelColumn: 13 },
    DATA,
  );
  sameTable(wine, reference().wine, 'classification');
  assert.deepEqual([wine.count, wine.classes], [178, 3]);

  const columns = [...reference().breastCancerNames, 'diagnosis'];
  const cancer = await loadSource(
    {
      format: 'csv',
      path: `${DATA}/breast_cancer.csv`,
      skipLines: 1,
      header: false,
      columns,
      labelColumn: 'diagnosis',
    },
    DATA,
  );
  sameTable(cancer, reference().breastCancer, 'classification');
  assert.deepEqual([cancer.count, cancer.classes], [569, 2]);
  // Named features in another order, a subset: the columns come out as listed.
  const two = await loadSource(
    {
      format: 'csv',
      path: `${DATA}/breast_cancer.csv`,
      skipLines: 1,
      header: false,
      columns,
      labelColumn: 'diagnosis',
      features: ['worst area', 'mean radius'],
    },
    DATA,
  );
  const ref = reference().breastCancer;
  const [area, radius] = ['worst area', 'mean radius'].map((n) => columns.indexOf(n));
  assert.deepEqual(Array.from(two.x), ref.x.flatMap((row) => [row[area!]!, row[radius!]!]).map(Math.fround));
});

test('diabetes: the features and targets files (gzipped, space-separated) joined into one table', async (t) => {
  const features = gunzipSync(await readFile(`${DATA}/diabetes_data_raw.csv.gz`))
    .toString('utf8')
    .trim();
  const targets = gunzipSync(await readFile(`${DATA}/diabetes_target.csv.gz`))
    .toString('utf8')
    .trim();
  const rows = features.split('\n').map((line, i) => `${line.trim()} ${targets.split('\n')[i]!.trim()}`);
  const dir = await tempDir(t);
  await put(dir, 'diabetes.txt', `${rows.join('\n')}\n`);
  const ds = await loadSource(
    {
      format: 'csv',
      path: 'diabetes.txt',
      header: false,
      delimiter: 'space',
      columns: ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6', 'progression'],
      labelColumn: 'progression',
    },
    dir,
    { task: 'regression' },
  );
  sameTable(ds, reference().diabetes, 'regression');
  assert.equal(ds.count, 442);
});

test('a regression job on Boston: test split held out by testSplit, targets standardised from the training split', async () => {
  const spec = dataSpec.parse({
    train: { format: 'csv', path: `${DATA}/boston_house_prices.csv`, skipLines: 1, labelColumn: 'MEDV' },
    testSplit: 0.2,
    validationSplit: 0.1,
    normalize: 'standardize',
  });
  const data = await prepareData(spec, DATA, 7, 'regression');
  assert.deepEqual([data.train.count, data.validation.count, data.test.count], [364, 41, 101]);
  const scale = data.targetScale!;
  const train = Array.from(data.train.targets!, (z) => scale.mean + scale.std * z);
  const mean = train.reduce((a, b) => a + b, 0) / train.length;
  assert.ok(Math.abs(mean - scale.mean) < 1e-4, `${mean} vs ${scale.mean}`);
  // Every house is in exactly one split: the targets' multiset is the file's.
  const all = [data.train, data.validation, data.test]
    .flatMap((d) => Array.from(d.targets!, (z) => Math.round((scale.mean + scale.std * z) * 10) / 10))
    .sort((a, b) => a - b);
  assert.deepEqual(
    all,
    [...reference().boston.y].sort((a, b) => a - b),
  );
  // The same seed gives the same splits; another seed others.
  const again = await prepareData(spec, DATA, 7, 'regression');
  assert.deepEqual(Array.from(again.test.targets!), Array.from(data.test.targets!));
  const other = await prepareData(spec, DATA, 8, 'regression');
  assert.notDeepEqual(Array.from(other.test.targets!), Array.from(data.test.targets!));
});

test('categorical columns: one-hot with the training split’s sorted categories; unseen ones refused or zeros; missing values named', async (t) => {
  const dir = await tempDir(t);
  const rows = ['city,size,price'];
  for (let i = 0; i < 12; i++) rows.push(`${['paris', 'lyon', 'nice'][i % 3]},${i},${i * 2}`);
  await put(dir, 'train.csv', `${rows.join('\n')}\n`);
  await put(dir, 'test.csv', 'city,size,price\nnice,1,2\nbrest,3,4\n');
  const spec = (unknownCategories: 'refuse' | 'zeros') =>
    dataSpec.parse({
      train: { format: 'csv', path: 'train.csv', labelColumn: 'price', categorical: ['city'] },
      test: {
        format: 'csv',
        path: 'test.csv',
        labelColumn: 'price',
        categorical: ['city'],
        unknownCategories,
      },
      validationSplit: 0,
    });
  await assert.rejects(
    prepareData(spec('refuse'), dir, 1, 'regression'),
    (err: Error) =>
      /test\.csv/.test(err.message) && /brest/.test(err.message) === false && /city/.test(err.message),
  );
  const data = await prepareData(spec('zeros'), dir, 1, 'regression');
  // Categories lyon, nice, paris (sorted), then size.
  assert.deepEqual(data.sampleShape, [4]);
  assert.deepEqual(Array.from(data.train.x.subarray(0, 8)), [0, 0, 1, 0, 1, 0, 0, 1]);
  assert.deepEqual(Array.from(data.test.x), [0, 1, 0, 1, 0, 0, 0, 3]);

  await put(dir, 'missing.csv', 'rooms,size,price\n3,1,2\n4,NA,4\n');
  await assert.rejects(
    loadSource({ format: 'csv', path: 'missing.csv', labelColumn: 'price' }, dir, { task: 'regression' }),
    /missing\.csv: row 1 \(line 3\), column 1: missing value/,
  );
});
