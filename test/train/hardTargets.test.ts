import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HardTargets, resolveClassWeights } from '../../core/train/hardTargets.ts';

test('label smoothing and class weights as target rows', () => {
  const out = new Float32Array(2 * 4);
  new HardTargets(4, 0.2, Float32Array.from([1, 2, 1, 1])).fill(Int32Array.from([1, 3]), 2, out);
  // Class 1 (weight 2): 2 · (0.8 · onehot + 0.05); class 3 (weight 1): 0.8 · onehot + 0.05.
  assert.deepEqual(Array.from(out), [0.1, 1.7, 0.1, 0.1, 0.05, 0.05, 0.05, 0.85].map(Math.fround));
});

test('balanced class weights: n / (classes · n_c) over the rows trained on; a map sets some classes', () => {
  const labels = Int32Array.from([0, 0, 0, 1, 2, 2]);
  assert.deepEqual(Array.from(resolveClassWeights('balanced', 3, labels, undefined, 'x')), [
    Math.fround(6 / 9),
    2,
    1,
  ]);
  // A bootstrap sample's rows (0, 0, 3, 3): classes 0 and 1 twice each, class 2 absent (weight 1).
  assert.deepEqual(
    Array.from(resolveClassWeights('balanced', 3, labels, Int32Array.from([0, 0, 3, 3]), 'x')),
    [Math.fround(4 / 6), Math.fround(4 / 6), 1],
  );
  assert.deepEqual(Array.from(resolveClassWeights({ '2': 3 }, 3, labels, undefined, 'x')), [1, 1, 3]);
  assert.throws(
    () => resolveClassWeights({ '5': 3 }, 3, labels, undefined, 'members[0].train.classWeights'),
    {
      message: /members\[0\]\.train\.classWeights\.5: no class 5/,
    },
  );
});
