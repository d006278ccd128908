import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeSynthetic } from '../../core/data/synthetic.ts';

function classMeans(ds: ReturnType<typeof makeSynthetic>): number[][] {
  const d = ds.sampleShape[0] as number;
  const sums = Array.from({ length: ds.classes }, () => new Array<number>(d).fill(0));
  const n = new Array<number>(ds.classes).fill(0);
  for (let i = 0; i < ds.count; i++) {
    const c = ds.y[i] as number;
    n[c] = (n[c] as number) + 1;
    const row = sums[c] as number[];
    for (let j = 0; j < d; j++) row[j] = (row[j] as number) + (ds.x[i * d + j] as number);
  }
  return sums.map((row, c) => row.map((s) => s / (n[c] as number)));
}

const dist = (a: number[], b: number[]): number =>
  Math.sqrt(a.reduce((s, v, j) => s + (v - (b[j] as number)) ** 2, 0));

test('shape, balanced labels, finite values', () => {
  const ds = makeSynthetic({ count: 301, features: 5, classes: 3, separation: 2, seed: 1 });
  assert.equal(ds.count, 301);
  assert.deepEqual(ds.sampleShape, [5]);
  assert.equal(ds.classes, 3);
  assert.equal(ds.x.length, 301 * 5);
  const counts = [0, 0, 0];
  for (const label of ds.y) counts[label] = (counts[label] as number) + 1;
  assert.deepEqual([...counts].sort(), [100, 100, 101]);
  assert.ok(ds.x.every(Number.isFinite));
  // Shuffled: labels are not in blocks or a plain cycle.
  assert.notDeepEqual(Array.from(ds.y.subarray(0, 12)), [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
});

test('same seed gives the same data, a different seed different data', () => {
  const opts = { count: 50, features: 4, classes: 2, separation: 3 };
  const a = makeSynthetic({ ...opts, seed: 7 });
  const b = makeSynthetic({ ...opts, seed: 7 });
  const c = makeSynthetic({ ...opts, seed: 8 });
  assert.deepEqual(a.x, b.x);
  assert.deepEqual(a.y, b.y);
  assert.notDeepEqual(a.x, c.x);
});

test('every pair of class centres is `separation` apart, noise has unit variance', () => {
  for (const [features, classes] of [
    [4, 4],
    [2, 3], // the simplex needs only classes - 1 dimensions: an equilateral triangle in the plane
  ] as const) {
    const ds = makeSynthetic({ count: 40000, features, classes, separation: 5, seed: 3 });
    const means = classMeans(ds);
    for (let a = 0; a < classes; a++) {
      for (let b = a + 1; b < classes; b++) {
        const d = dist(means[a] as number[], means[b] as number[]);
        assert.ok(Math.abs(d - 5) < 0.15, `${features}d/${classes} classes: centres ${a},${b} at ${d}`);
      }
    }
    let sq = 0;
    for (let i = 0; i < ds.count; i++) {
      const m = means[ds.y[i] as number] as number[];
      for (let j = 0; j < features; j++) sq += ((ds.x[i * features + j] as number) - (m[j] as number)) ** 2;
    }
    const variance = sq / (ds.count * features);
    assert.ok(Math.abs(variance - 1) < 0.05, `noise variance ${variance}`);
  }
});

test('more classes than features still works (random centres)', () => {
  const ds = makeSynthetic({ count: 60, features: 1, classes: 5, separation: 2, seed: 0 });
  assert.deepEqual(ds.sampleShape, [1]);
  assert.equal(new Set(ds.y).size, 5);
  assert.throws(() => makeSynthetic({ count: 0, features: 1, classes: 2, separation: 1, seed: 0 }), /count/);
});
