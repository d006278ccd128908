import { test } from 'node:test';
import assert from 'node:assert/strict';
import { teacherSoftTargets } from '../../core/ensemble/softTargets.ts';
import { softmaxRows } from '../../core/ensemble/softmax.ts';
import { NonRetryableError } from '../../core/errors.ts';

function assertClose(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-6): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

const t1 = Float32Array.from([0, 2 * Math.log(3)]);
const t2 = Float32Array.from([0, 0]);

test('one teacher at T = 2: softmax([0, 2 ln 3] / 2) = [1/4, 3/4] in both modes', () => {
  assertClose(teacherSoftTargets([t1], 2, 2, 'probabilities'), [0.25, 0.75]);
  assertClose(teacherSoftTargets([t1], 2, 2, 'logits'), [0.25, 0.75]);
});

test("mode 'probabilities' averages softmax(t_i / T); mode 'logits' takes softmax(mean t_i / T)", () => {
  // probabilities: ([1/4, 3/4] + [1/2, 1/2]) / 2 = [3/8, 5/8]
  assertClose(teacherSoftTargets([t1, t2], 2, 2, 'probabilities'), [0.375, 0.625]);
  // logits: mean = [0, ln 3], / 2 = [0, ln √3] → [1/(1 + √3), √3/(1 + √3)] ≈ [0.36603, 0.63397]
  const s3 = Math.sqrt(3);
  assertClose(teacherSoftTargets([t1, t2], 2, 2, 'logits'), [1 / (1 + s3), s3 / (1 + s3)]);
  // The default mode is 'probabilities', as DESIGN.md says.
  assertClose(teacherSoftTargets([t1, t2], 2, 2), [0.375, 0.625]);
});

test('weights: weighted mean of probabilities; weight 0 drops a member', () => {
  // (3·[1/4, 3/4] + 1·[1/2, 1/2]) / 4 = [5/16, 11/16]
  assertClose(teacherSoftTargets([t1, t2], 2, 2, 'probabilities', [3, 1]), [5 / 16, 11 / 16]);
  assertClose(teacherSoftTargets([t1, t2], 2, 2, 'probabilities', [1, 0]), [0.25, 0.75]);
  assertClose(teacherSoftTargets([t1, t2], 2, 2, 'logits', [1, 0]), [0.25, 0.75]);
});

test('T = 1 matches softmaxRows; a higher T gives flatter targets', () => {
  const t = Float32Array.from([3, -1, 0.5, 2, 2, -7]);
  assertClose(teacherSoftTargets([t], 3, 1), [...softmaxRows(t, 3)]);
  const sharp = teacherSoftTargets([t], 3, 1);
  const flat = teacherSoftTargets([t], 3, 10);
  assert.ok(flat[0]! < sharp[0]! && flat[1]! > sharp[1]!);
  for (let r = 0; r < 2; r++) {
    const sum = flat[r * 3]! + flat[r * 3 + 1]! + flat[r * 3 + 2]!;
    assert.ok(Math.abs(sum - 1) < 1e-6);
  }
});

test('bad temperature, mode, weights and shapes throw NonRetryableError', () => {
  assert.throws(() => teacherSoftTargets([t1], 2, 0), /temperature/);
  assert.throws(() => teacherSoftTargets([t1], 2, Number.NaN), /temperature/);
  assert.throws(() => teacherSoftTargets([t1], 2, 2, 'median' as 'logits'), /mode/);
  assert.throws(() => teacherSoftTargets([t1, t2], 2, 2, 'logits', [0, 0]), /all weights are zero/);
  assert.throws(() => teacherSoftTargets([t1, Float32Array.from([1, 2, 3, 4])], 2, 2), NonRetryableError);
});
