import assert from 'node:assert/strict';
import { test } from 'node:test';
import { softmaxRows } from '../../core/ensemble/softmax.ts';
import {
  applyTemperature,
  fitTemperature,
  TEMPERATURE_RANGE,
} from '../../core/ensemble/temperatureScaling.ts';
import { NonRetryableError } from '../../core/errors.ts';
import { accuracy } from '../../core/metrics/accuracy.ts';
import { expectedCalibrationError } from '../../core/metrics/expectedCalibrationError.ts';
import { negativeLogLikelihood } from '../../core/metrics/negativeLogLikelihood.ts';

const close = (actual: number, expected: number, tol: number): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not within ${tol} of ${expected}`);

/** A small seeded PRNG (uniform in [0, 1)). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * n samples over `classes` whose labels are DRAWN from softmax(z): z is perfectly calibrated by
 * construction. Returns z scaled by `sharpen` (> 1 makes the predictions over-confident).
 */
function sample(n: number, classes: number, sharpen: number, seed: number) {
  const random = mulberry32(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const z = new Float32Array(n * classes);
  for (let k = 0; k < z.length; k++) z[k] = 1.5 * gaussian();
  const p = softmaxRows(z, classes);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let u = random();
    let c = 0;
    while (c < classes - 1 && u >= p[r * classes + c]!) {
      u -= p[r * classes + c]!;
      c++;
    }
    labels[r] = c;
  }
  return { logits: z.map((v) => v * sharpen), labels };
}

test('hand-checkable: gap 4, three of four right → sigmoid(4/T) = 3/4, so T = 4 / ln 3', () => {
  const logits = Float32Array.from([0, 4, 0, 4, 0, 4, 0, 4]);
  const labels = Int32Array.from([1, 1, 1, 0]);
  const fit = fitTemperature(logits, labels, 2);
  close(fit.temperature, 4 / Math.log(3), 1e-5);
  // NLL before: −(3 ln σ(4) + ln σ(−4)) / 4; after: the entropy of Bernoulli(3/4).
  const sig = (x: number): number => 1 / (1 + Math.exp(-x));
  close(fit.nllBefore, -(3 * Math.log(sig(4)) + Math.log(sig(-4))) / 4, 1e-12);
  close(fit.nllAfter, -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)), 1e-12);
  const q = applyTemperature(logits, 2, fit.temperature);
  close(q[1]!, 0.75, 1e-6);
});

test('probabilities input: p = [0.1, 0.9], three of four right → 0.9^β : 0.1^β = 3 : 1, so T = 2', () => {
  const p = Float32Array.from([0.1, 0.9, 0.1, 0.9, 0.1, 0.9, 0.1, 0.9]);
  const labels = Int32Array.from([1, 1, 0, 1]);
  const fit = fitTemperature(p, labels, 2, { input: 'probabilities' });
  close(fit.temperature, 2, 1e-5);
  // q = p^(1/2) / Σ p^(1/2) = [1/4, 3/4].
  const q = applyTemperature(p, 2, 2, { input: 'probabilities' });
  close(q[0]!, 0.25, 1e-6);
  close(q[1]!, 0.75, 1e-6);
  // T = 1 gives the probabilities back.
  assert.deepEqual(
    [...applyTemperature(p, 2, 1, { input: 'probabilities' })].map((v) => Math.round(v * 1e6) / 1e6),
    [...p].map((v) => Math.round(v * 1e6) / 1e6),
  );
});

test('over-confident predictions: T > 1, and NLL and ECE drop on held-out data; accuracy is unchanged', () => {
  const classes = 5;
  const fitSet = sample(3000, classes, 2.5, 1);
  const testSet = sample(3000, classes, 2.5, 2);
  const fit = fitTemperature(fitSet.logits, fitSet.labels, classes);
  close(fit.temperature, 2.5, 0.25);
  assert.ok(fit.nllAfter < fit.nllBefore - 0.1, `${fit.nllAfter} vs ${fit.nllBefore}`);

  const before = softmaxRows(testSet.logits, classes);
  const after = applyTemperature(testSet.logits, classes, fit.temperature);
  const nll0 = negativeLogLikelihood(before, testSet.labels, classes);
  const nll1 = negativeLogLikelihood(after, testSet.labels, classes);
  const ece0 = expectedCalibrationError(before, testSet.labels, classes);
  const ece1 = expectedCalibrationError(after, testSet.labels, classes);
  assert.ok(nll1 < nll0 - 0.1, `test NLL ${nll0} → ${nll1}`);
  assert.ok(ece1 < ece0 / 2, `test ECE ${ece0} → ${ece1}`);
  assert.equal(accuracy(after, testSet.labels), accuracy(before, testSet.labels));
});

test('the same over-confident soft vote, given as probabilities, is softened too', () => {
  const classes = 4;
  const set = sample(2000, classes, 3, 3);
  const p = softmaxRows(set.logits, classes);
  const fromProbabilities = fitTemperature(p, set.labels, classes, { input: 'probabilities' });
  const fromLogits = fitTemperature(set.logits, set.labels, classes);
  // log p = z − logsumexp(z): the same scores up to a per-row constant, so the same T.
  close(fromProbabilities.temperature, fromLogits.temperature, 1e-4);
  assert.ok(fromProbabilities.temperature > 2);
});

test('well-calibrated predictions: T ≈ 1', () => {
  const set = sample(5000, 3, 1, 4);
  const fit = fitTemperature(set.logits, set.labels, 3);
  close(fit.temperature, 1, 0.1);
  assert.ok(fit.nllBefore - fit.nllAfter < 0.01);
});

test('under-confident predictions: T < 1', () => {
  const set = sample(3000, 3, 0.4, 5);
  const fit = fitTemperature(set.logits, set.labels, 3);
  close(fit.temperature, 0.4, 0.06);
});

test('edge cases: a flat objective keeps T = 1; an all-right confident set hits the lower edge', () => {
  // One class: every probability is 1 whatever T.
  const flat = fitTemperature(Float32Array.from([0.3, -2]), Int32Array.from([0, 0]), 1);
  assert.equal(flat.temperature, 1);
  assert.equal(flat.nllAfter, flat.nllBefore);
  // Always right: sharper is always better, down to the edge of the searched range.
  const right = fitTemperature(Float32Array.from([0, 2, 3, 0]), Int32Array.from([1, 0]), 2);
  close(right.temperature, TEMPERATURE_RANGE.min, 1e-6);
  // Always wrong: flatter is always better, up to the other edge.
  const wrong = fitTemperature(Float32Array.from([0, 2, 3, 0]), Int32Array.from([0, 1]), 2);
  close(wrong.temperature, TEMPERATURE_RANGE.max, 1e-4);
  assert.ok(wrong.nllAfter < wrong.nllBefore);
});

test('a probability that is exactly 0 on the true class keeps the objective finite', () => {
  const p = Float32Array.from([1, 0, 0.2, 0.8, 0.3, 0.7]);
  const fit = fitTemperature(p, Int32Array.from([1, 1, 0]), 2, { input: 'probabilities' });
  assert.ok(Number.isFinite(fit.nllBefore) && Number.isFinite(fit.nllAfter));
  assert.ok(fit.temperature > 1);
});

test('invalid inputs throw NonRetryableError naming the problem', () => {
  const logits = Float32Array.from([0, 2, 1, 0]);
  const labels = Int32Array.from([1, 0]);
  const cases: [() => unknown, RegExp][] = [
    [() => fitTemperature(new Float32Array(0), new Int32Array(0), 2), /no samples/],
    [() => fitTemperature(Float32Array.from([0, 1, 2]), labels, 2), /not a multiple of classes/],
    [() => fitTemperature(logits, Int32Array.from([1]), 2), /1 labels for 2 samples/],
    [() => fitTemperature(logits, Int32Array.from([1, 2]), 2), /outside \[0, 2\)/],
    [() => fitTemperature(Float32Array.from([0, NaN, 1, 0]), labels, 2), /non-finite/],
    [() => fitTemperature(logits, labels, 2, { input: 'probabilities' }), /not a probability|sums to/],
    [() => fitTemperature(logits, labels, 0), /classes must be a positive integer/],
    [
      () => fitTemperature(logits, labels, 2, { input: 'odds' as unknown as 'logits' }),
      /'logits' or 'probabilities'/,
    ],
    [() => applyTemperature(logits, 2, 0), /temperature must be a finite number > 0/],
    [() => applyTemperature(logits, 2, Number.POSITIVE_INFINITY), /temperature/],
    [() => applyTemperature(Float32Array.from([Infinity, 0]), 2, 1), /non-finite/],
  ];
  cases.forEach(([run, message], i) => {
    assert.throws(
      run,
      (err: unknown) => err instanceof NonRetryableError && message.test(err.message),
      `case ${i}`,
    );
  });
});
