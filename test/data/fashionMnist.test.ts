import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadIdxDataset } from '../../core/data/idx.ts';

// Debian package dataset-fashion-mnist; CI installs it. A missing folder fails here with
// "file not found" and the path: deliberately not a skip.
const DIR = '/usr/share/datasets/fashion-mnist';

function classCounts(y: Int32Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of y) counts[label] = (counts[label] as number) + 1;
  return counts;
}

test('Fashion-MNIST test set (t10k): 10,000 images of 28×28, 1,000 per class, pixels 0..255', async () => {
  const ds = await loadIdxDataset(
    join(DIR, 't10k-images-idx3-ubyte.gz'),
    join(DIR, 't10k-labels-idx1-ubyte.gz'),
  );
  assert.equal(ds.count, 10000);
  assert.deepEqual(ds.sampleShape, [28, 28, 1]);
  assert.equal(ds.classes, 10);
  assert.deepEqual(classCounts(ds.y), new Array(10).fill(1000));
  let max = 0;
  for (const v of ds.x) if (v > max) max = v;
  assert.equal(max, 255);
  assert.ok(ds.x.every((v) => Number.isInteger(v) && v >= 0));
});

test('Fashion-MNIST train set: 60,000 images, 6,000 per class, loaded in well under the budget', async () => {
  const t0 = performance.now();
  const ds = await loadIdxDataset(
    join(DIR, 'train-images-idx3-ubyte.gz'),
    join(DIR, 'train-labels-idx1-ubyte.gz'),
  );
  const ms = performance.now() - t0;
  assert.equal(ds.count, 60000);
  assert.equal(ds.x.length, 60000 * 784);
  assert.deepEqual(classCounts(ds.y), new Array(10).fill(6000));
  // Typically 0.3-0.7 s on 2 busy cores; the bound only catches a per-element slow path.
  assert.ok(ms < 5000, `loading took ${ms.toFixed(0)} ms`);
});
