import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argmaxRows } from '../../core/metrics/argmaxRows.ts';
import { accuracy } from '../../core/metrics/accuracy.ts';
import { agreement } from '../../core/metrics/agreement.ts';
import { NonRetryableError } from '../../core/errors.ts';

test('argmaxRows: per-row argmax, ties → lowest index', () => {
  const scores = Float32Array.from([0.1, 0.7, 0.2, 0.4, 0.4, 0.2, -5, -1, -1, 3, 3, 3]);
  assert.deepEqual([...argmaxRows(scores, 3)], [1, 0, 1, 0]);
  assert.throws(() => argmaxRows(Float32Array.from([0, NaN]), 2), /non-finite/);
  assert.throws(() => argmaxRows(Float32Array.from([0, 1, 2]), 2), NonRetryableError);
});

test('accuracy from class indices and from score rows', () => {
  const labels = Int32Array.from([0, 1, 2, 1]);
  // 3 of 4 right
  assert.equal(accuracy(Int32Array.from([0, 1, 2, 2]), labels), 0.75);
  // rows → argmax [1, 1, 2, 0] (last row is a tie → 0): right on samples 1 and 2 → 2/4
  const scores = Float32Array.from([0.2, 0.5, 0.3, 0.1, 0.8, 0.1, 0, 0, 1, 0.4, 0.4, 0.2]);
  assert.equal(accuracy(scores, labels), 0.5);
  assert.equal(accuracy(Int32Array.from([3, 3, 3, 3]), labels), 0);
});

test('accuracy rejects mismatched lengths, bad labels and empty input', () => {
  assert.throws(
    () => accuracy(Int32Array.from([0, 1]), Int32Array.from([0, 1, 2])),
    /2 predictions for 3 labels/,
  );
  assert.throws(() => accuracy(Float32Array.from([0.5, 0.5, 1]), Int32Array.from([0, 1])), NonRetryableError);
  assert.throws(
    () => accuracy(Float32Array.from([0.5, 0.5, 1, 0]), Int32Array.from([0, 2])),
    /outside \[0, 2\)/,
  );
  assert.throws(() => accuracy(Int32Array.from([0]), Int32Array.from([-1])), /outside/);
  assert.throws(() => accuracy(new Int32Array(0), new Int32Array(0)), /no samples/);
});

test('agreement = fraction of equal predictions', () => {
  assert.equal(agreement(Int32Array.from([0, 1, 2, 3, 4]), Int32Array.from([0, 1, 0, 3, 0])), 0.6);
  assert.equal(agreement(Int32Array.from([2, 2]), Int32Array.from([2, 2])), 1);
  assert.throws(() => agreement(Int32Array.from([1]), Int32Array.from([1, 2])), /1 predictions against 2/);
  assert.throws(() => agreement(new Int32Array(0), new Int32Array(0)), /no samples/);
});
