import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NLL_EPSILON, negativeLogLikelihood } from '../../core/metrics/negativeLogLikelihood.ts';
import { NonRetryableError } from '../../core/errors.ts';

test('NLL is the mean of −log p(true class)', () => {
  // p_y = 0.5 and 0.25 → (ln 2 + ln 4) / 2 = 1.5 ln 2 ≈ 1.03972
  const p = Float32Array.from([0.5, 0.5, 0.75, 0.25]);
  const nll = negativeLogLikelihood(p, Int32Array.from([1, 1]), 2);
  assert.ok(Math.abs(nll - 1.5 * Math.LN2) < 1e-12, String(nll));
  // A sure and right prediction costs nothing.
  assert.equal(negativeLogLikelihood(Float32Array.from([0, 1]), Int32Array.from([1]), 2), 0);
});

test('a zero probability on the true class is clipped at 1e-12, not infinite', () => {
  // (−ln 1e-12 + −ln 1) / 2 = 27.631… / 2
  const nll = negativeLogLikelihood(Float32Array.from([1, 0, 0, 1]), Int32Array.from([1, 1]), 2);
  assert.equal(NLL_EPSILON, 1e-12);
  assert.ok(Math.abs(nll - -Math.log(1e-12) / 2) < 1e-9, String(nll));
  assert.ok(Number.isFinite(nll));
});

test('NLL rejects logits, mismatched labels and empty input', () => {
  assert.throws(
    () => negativeLogLikelihood(Float32Array.from([2, -1]), Int32Array.from([0]), 2),
    /not a probability/,
  );
  assert.throws(
    () => negativeLogLikelihood(Float32Array.from([0.5, 0.5]), Int32Array.from([0, 1]), 2),
    /2 labels for 1/,
  );
  assert.throws(
    () => negativeLogLikelihood(Float32Array.from([0.5, 0.5]), Int32Array.from([2]), 2),
    /outside/,
  );
  assert.throws(() => negativeLogLikelihood(new Float32Array(0), new Int32Array(0), 2), NonRetryableError);
});
