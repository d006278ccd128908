import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset } from '../../core/data/dataset.ts';
import { applyNormalizer, fitNormalizer } from '../../core/data/normalize.ts';
import type { Normalizer } from '../../core/data/normalize.ts';
import { NonRetryableError } from '../../core/errors.ts';

function ds(rows: number[][]): Dataset {
  const f = rows[0]?.length ?? 0;
  return {
    x: Float32Array.from(rows.flat()),
    y: new Int32Array(rows.length),
    count: rows.length,
    sampleShape: [f],
    classes: 1,
  };
}

test('none returns the dataset itself, scale255 divides by 255', () => {
  const d = ds([
    [0, 255],
    [51, 102],
  ]);
  assert.equal(applyNormalizer(d, fitNormalizer(d, 'none')), d);
  const n = fitNormalizer(d, 'scale255');
  assert.deepEqual(n, { kind: 'scale255' });
  const s = applyNormalizer(d, n);
  assert.deepEqual(Array.from(s.x), [0, 1, 0.2, 0.4].map(Math.fround));
  assert.deepEqual(Array.from(d.x), [0, 255, 51, 102], 'input untouched');
  assert.equal(s.y, d.y);
});

test('standardize: train statistics (population std), applied to other data unchanged', () => {
  const train = ds([
    [1, 10],
    [3, 10],
    [5, 10],
  ]);
  const n = fitNormalizer(train, 'standardize');
  assert.equal(n.kind, 'standardize');
  if (n.kind !== 'standardize') return;
  assert.deepEqual(n.mean, [3, 10]);
  assert.ok(Math.abs((n.std[0] as number) - Math.sqrt(8 / 3)) < 1e-12);
  assert.equal(n.std[1], 1, 'constant feature: std treated as 1');
  const t = applyNormalizer(train, n);
  const sd = Math.sqrt(8 / 3);
  assert.deepEqual(Array.from(t.x), [-2 / sd, 0, 0, 0, 2 / sd, 0].map(Math.fround));
  const test2 = applyNormalizer(ds([[3, 11]]), n);
  assert.deepEqual(Array.from(test2.x), [0, 1], 'uses train mean/std, not the test set’s');
});

test('standardize gives mean 0, std 1 on the training data; constant non-zero features map to 0', () => {
  const rows = Array.from({ length: 500 }, (_, i) => [1000 + Math.sin(i) * 3, 0.1, i]);
  const train = ds(rows);
  const n = fitNormalizer(train, 'standardize');
  const t = applyNormalizer(train, n);
  for (let j = 0; j < 3; j++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < 500; i++) {
      const v = t.x[i * 3 + j] as number;
      s += v;
      s2 += v * v;
    }
    assert.ok(Math.abs(s / 500) < 1e-4, `feature ${j} mean ${s / 500}`);
    const expectedVar = j === 1 ? 0 : 1;
    assert.ok(Math.abs(s2 / 500 - expectedVar) < 1e-3, `feature ${j} variance ${s2 / 500}`);
  }
});

test('a normalizer is plain data: survives JSON, and refuses a dataset of another width', () => {
  const train = ds([
    [1, 2],
    [3, 6],
  ]);
  const n = fitNormalizer(train, 'standardize');
  const copy = JSON.parse(JSON.stringify(n)) as Normalizer;
  assert.deepEqual(copy, n);
  assert.deepEqual(applyNormalizer(train, copy).x, applyNormalizer(train, n).x);
  assert.throws(
    () => applyNormalizer(ds([[1, 2, 3]]), n),
    (e: unknown) =>
      e instanceof NonRetryableError && /fitted on 2 features, the dataset has 3/.test(e.message),
  );
  assert.throws(() => fitNormalizer(ds([]), 'standardize'), /empty training set/);
});
