import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSource } from '../../core/data/load.ts';
import { dataSource } from '../../core/spec/data.ts';
import type { DataSourceInput } from '../../core/spec/data.ts';
import { idxBytes, npyBytes, put, rejectsDataset, tempDir } from './helpers.ts';

const spec = (input: DataSourceInput) => dataSource.parse(input);

test('every format loads through loadSource with paths relative to baseDir', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'data'));
  await put(dir, 'data/img.gz', idxBytes('ubyte', [2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]), true);
  await put(dir, 'data/lab', idxBytes('ubyte', [2], [1, 0]));
  await put(dir, 'data/train.csv', 'a,b,label\n1,2,0\n3,4,1\n');
  await put(dir, 'data/x.npy', npyBytes('<f4', [2, 3], new Float32Array([1, 2, 3, 4, 5, 6])));
  await put(dir, 'data/y.npy', npyBytes('<i8', [2], new BigInt64Array([0n, 2n])));

  const idx = await loadSource(spec({ format: 'idx', images: 'data/img.gz', labels: 'data/lab' }), dir);
  assert.deepEqual([idx.count, idx.sampleShape, idx.classes], [2, [2, 2, 1], 2]);
  const csv = await loadSource(spec({ format: 'csv', path: 'data/train.csv' }), dir);
  assert.deepEqual(Array.from(csv.y), [0, 1], "labelColumn defaults to 'label'");
  const npy = await loadSource(
    spec({ format: 'npy', features: join(dir, 'data/x.npy'), labels: 'data/y.npy' }),
    dir,
  );
  assert.deepEqual([npy.count, npy.sampleShape, npy.classes], [2, [3], 3], 'absolute paths stay as they are');
  const mnist = await loadSource(spec({ format: 'mnist-bundled', start: 100, count: 50 }), dir);
  assert.deepEqual([mnist.count, mnist.sampleShape, mnist.classes], [50, [28, 28, 1], 10]);
  const syn = await loadSource(spec({ format: 'synthetic', count: 30 }), dir);
  assert.deepEqual([syn.count, syn.sampleShape, syn.classes], [30, [16], 3]);
});

test('a missing file names the resolved path', async (t) => {
  const dir = await tempDir(t);
  await put(dir, 'lab', idxBytes('ubyte', [1], [0]));
  await rejectsDataset(
    () => loadSource(spec({ format: 'idx', images: 'sub/missing-images.gz', labels: 'lab' }), dir),
    join(dir, 'sub/missing-images.gz'),
    /file not found/,
  );
  await rejectsDataset(
    () => loadSource(spec({ format: 'csv', path: 'nope.csv' }), dir),
    join(dir, 'nope.csv'),
    /file not found/,
  );
});

test('an expected class count is enforced for files and checked against fixed sources', async (t) => {
  const dir = await tempDir(t);
  const csv = await put(dir, 'd.csv', 'a,label\n1,0\n2,4\n');
  const ten = await loadSource(spec({ format: 'csv', path: 'd.csv' }), dir, { classes: 10 });
  assert.equal(ten.classes, 10);
  await rejectsDataset(
    () => loadSource(spec({ format: 'csv', path: 'd.csv' }), dir, { classes: 3 }),
    csv,
    /label 4 is outside the class range \[0, 3\)/,
  );
  await rejectsDataset(
    () => loadSource(spec({ format: 'synthetic', count: 10, classes: 4 }), dir, { classes: 3 }),
    'synthetic',
    /has 4 classes, but 3 were expected/,
  );
});

test('a file with zero samples is refused', async (t) => {
  const dir = await tempDir(t);
  await put(dir, 'img', idxBytes('ubyte', [0, 2, 2], []));
  const lab = await put(dir, 'lab', idxBytes('ubyte', [0], []));
  await rejectsDataset(
    () => loadSource(spec({ format: 'idx', images: 'img', labels: 'lab' }), dir),
    lab,
    /no samples/,
  );
});
