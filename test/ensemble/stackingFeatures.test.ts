import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stackingFeatures } from '../../core/ensemble/stackingFeatures.ts';
import { NonRetryableError } from '../../core/errors.ts';

test('rows are the members’ probabilities side by side, in member order', () => {
  const a = Float32Array.from([0.5, 0.5, 0.25, 0.75]);
  const b = Float32Array.from([1, 0, 0, 1]);
  const c = Float32Array.from([0.125, 0.875, 0.625, 0.375]);
  // sample 0: a0 | b0 | c0, sample 1: a1 | b1 | c1 → [2, 3 * 2]
  assert.deepEqual(
    [...stackingFeatures([a, b, c], 2)],
    [0.5, 0.5, 1, 0, 0.125, 0.875, 0.25, 0.75, 0, 1, 0.625, 0.375],
  );
  assert.deepEqual([...stackingFeatures([a], 2)], [...a]);
});

test('mismatched members or non-probabilities throw', () => {
  assert.throws(
    () => stackingFeatures([Float32Array.from([1, 0]), Float32Array.from([1, 0, 0, 1])], 2),
    NonRetryableError,
  );
  assert.throws(() => stackingFeatures([Float32Array.from([3, -2])], 2), /not a probability/);
  assert.throws(() => stackingFeatures([], 2), /no members/);
});
