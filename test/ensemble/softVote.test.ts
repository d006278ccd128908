import { test } from 'node:test';
import assert from 'node:assert/strict';
import { softVote } from '../../core/ensemble/softVote.ts';
import { meanLogits } from '../../core/ensemble/meanLogits.ts';
import { NonRetryableError } from '../../core/errors.ts';

const half = Float32Array.from([0.5, 0.5, 0.25, 0.75]);
const sure = Float32Array.from([1, 0, 0, 1]);

test('a single member: soft vote = its probabilities', () => {
  assert.deepEqual([...softVote([half], 2)], [...half]);
  assert.deepEqual([...softVote([half], 2, [7])], [...half]);
});

test('equal weights: the plain mean', () => {
  // ([0.5, 0.5] + [1, 0]) / 2 = [0.75, 0.25]; ([0.25, 0.75] + [0, 1]) / 2 = [0.125, 0.875]
  assert.deepEqual([...softVote([half, sure], 2)], [0.75, 0.25, 0.125, 0.875]);
});

test('weights are normalised by their sum and can change the outcome', () => {
  // (1·[0.5, 0.5] + 3·[1, 0]) / 4 = [0.875, 0.125]; (1·[0.25, 0.75] + 3·[0, 1]) / 4 = [0.0625, 0.9375]
  assert.deepEqual([...softVote([half, sure], 2, [1, 3])], [0.875, 0.125, 0.0625, 0.9375]);
  // Scaling all weights changes nothing.
  assert.deepEqual([...softVote([half, sure], 2, [2, 6])], [...softVote([half, sure], 2, [1, 3])]);
  // Weights decide the winner between a = [0.875, 0.125] and b = [0.375, 0.625]:
  const a = Float32Array.from([0.875, 0.125]);
  const b = Float32Array.from([0.375, 0.625]);
  assert.deepEqual([...softVote([a, b], 2)], [0.625, 0.375]); // class 0 wins unweighted
  assert.deepEqual([...softVote([a, b], 2, [1, 3])], [0.5, 0.5]); // (0.875 + 1.125)/4
  assert.deepEqual([...softVote([a, b], 2, [1, 7])], [0.4375, 0.5625]); // (0.875 + 2.625)/8: class 1 wins
});

test('a member with weight 0 changes nothing', () => {
  assert.deepEqual([...softVote([half, sure], 2, [1, 0])], [...half]);
  assert.deepEqual([...softVote([half, sure, half], 2, [1, 3, 0])], [...softVote([half, sure], 2, [1, 3])]);
});

test('soft vote rejects bad weights, shapes and non-probabilities', () => {
  assert.throws(() => softVote([half, sure], 2, [0, 0]), /all weights are zero/);
  assert.throws(() => softVote([half, sure], 2, [1, -0.5]), /weights\[1\]/);
  assert.throws(() => softVote([half, sure], 2, [1]), NonRetryableError);
  assert.throws(() => softVote([half, Float32Array.from([1, 0])], 2), /length 2 differs/);
  assert.throws(() => softVote([Float32Array.from([2, -1])], 2), /not a probability/);
  assert.throws(() => softVote([Float32Array.from([0.5, 0.2])], 2), /sums to/);
  assert.throws(() => softVote([], 2), /no members/);
});

test('meanLogits: weighted mean of logits', () => {
  const a = Float32Array.from([1, 2, -4, 0]);
  const b = Float32Array.from([3, 6, 4, 8]);
  assert.deepEqual([...meanLogits([a, b], 2)], [2, 4, 0, 4]);
  // (1·1 + 3·3)/4 = 2.5, (2 + 18)/4 = 5, (−4 + 12)/4 = 2, (0 + 24)/4 = 6
  assert.deepEqual([...meanLogits([a, b], 2, [1, 3])], [2.5, 5, 2, 6]);
  assert.deepEqual([...meanLogits([a, b], 2, [0, 1])], [...b]);
  assert.deepEqual([...meanLogits([a], 2)], [...a]);
  assert.throws(() => meanLogits([a, b], 2, [0, 0]), NonRetryableError);
  assert.throws(() => meanLogits([Float32Array.from([NaN, 1])], 2), /non-finite/);
});
