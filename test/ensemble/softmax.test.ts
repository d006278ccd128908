import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logSoftmaxRows, softmaxRows } from '../../core/ensemble/softmax.ts';
import { NonRetryableError } from '../../core/errors.ts';

function assertClose(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-6): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

test('softmax of [0, ln 3] is [1/4, 3/4]; of equal logits is uniform', () => {
  // e^0 = 1, e^{ln 3} = 3, total 4.
  assertClose(softmaxRows(Float32Array.from([0, Math.log(3)]), 2), [0.25, 0.75]);
  assertClose(softmaxRows(Float32Array.from([2, 2, 2, 2]), 4), [0.25, 0.25, 0.25, 0.25]);
});

test('temperature divides the logits: softmax([0, 2 ln 3] / 2) = [1/4, 3/4]', () => {
  assertClose(softmaxRows(Float32Array.from([0, 2 * Math.log(3)]), 2, 2), [0.25, 0.75]);
  // A high temperature flattens towards uniform: softmax([0, 10]/1000) ≈ [0.4975, 0.5025].
  const p = softmaxRows(Float32Array.from([0, 10]), 2, 1000);
  assertClose(p, [1 / (1 + Math.exp(0.01)), Math.exp(0.01) / (1 + Math.exp(0.01))]);
});

test('softmax is stable for huge logits (row max subtracted)', () => {
  // Without subtracting 1000, exp(1000) overflows to Infinity and the result is NaN.
  assertClose(softmaxRows(Float32Array.from([1000, 1000, -1000, 0]), 2), [0.5, 0.5, 0, 1]);
});

test('rows are independent and each sums to 1', () => {
  const p = softmaxRows(Float32Array.from([1, 2, 3, -1, 0, 1]), 3);
  const e = [Math.exp(-2), Math.exp(-1), 1];
  const z = e[0]! + e[1]! + e[2]!;
  assertClose(p, [e[0]! / z, e[1]! / z, e[2]! / z, e[0]! / z, e[1]! / z, e[2]! / z]);
});

test('logSoftmax of [0, ln 3] is [ln 1/4, ln 3/4], and is finite where softmax underflows', () => {
  assertClose(logSoftmaxRows(Float32Array.from([0, Math.log(3)]), 2), [Math.log(0.25), Math.log(0.75)]);
  // softmax([0, 1000]) has an exact 0; its log is -1000, not -Infinity.
  assertClose(logSoftmaxRows(Float32Array.from([0, 1000]), 2), [-1000, 0]);
  assertClose(logSoftmaxRows(Float32Array.from([0, 2 * Math.log(3)]), 2, 2), [
    Math.log(0.25),
    Math.log(0.75),
  ]);
});

test('bad shapes, temperatures and values throw NonRetryableError', () => {
  assert.throws(() => softmaxRows(Float32Array.from([1, 2, 3]), 2), NonRetryableError);
  assert.throws(() => softmaxRows(Float32Array.from([1, 2]), 0), NonRetryableError);
  assert.throws(() => softmaxRows(Float32Array.from([1, 2]), 2, 0), /temperature/);
  assert.throws(() => softmaxRows(Float32Array.from([1, 2]), 2, -1), /temperature/);
  assert.throws(() => softmaxRows(Float32Array.from([1, NaN]), 2), /row 0, column 1/);
  assert.throws(() => logSoftmaxRows(Float32Array.from([Infinity, 0]), 2), NonRetryableError);
});
