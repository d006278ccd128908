import assert from 'node:assert/strict';
import { test } from 'node:test';
import { varianceFromRaw } from '../../core/ensemble/regression/gaussianHead.ts';
import { applyLinearCombiner, fitLinearCombiner } from '../../core/ensemble/regression/linearStacking.ts';
import { medianOfMeans } from '../../core/ensemble/regression/median.ts';
import { mixture } from '../../core/ensemble/regression/mixture.ts';
import { predictiveOf } from '../../core/ensemble/regression/predictive.ts';
import { residualVariance } from '../../core/ensemble/regression/residualVariance.ts';
import {
  gaussianNegativeLogLikelihood,
  intervalCoverage,
} from '../../core/metrics/regression/gaussianScores.ts';
import {
  coefficientOfDetermination,
  meanAbsoluteError,
  rootMeanSquaredError,
} from '../../core/metrics/regression/pointErrors.ts';

/** Regression ensemble maths and scores on cases small enough to work by hand. */

const f64 = (...v: number[]) => Float64Array.from(v);
const close = (actual: number, expected: number, what: string, tol = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);

test('the mixture of two Gaussians: mean of means, and mean variance plus the spread of the means', () => {
  // Sample 0: N(1, 1) and N(3, 1) → mean 2, variance 1 + ((1−2)² + (3−2)²)/2 = 2.
  // Sample 1: N(0, 4) and N(0, 2) → mean 0, variance 3.
  const p = mixture([
    { mean: f64(1, 0), variance: f64(1, 4) },
    { mean: f64(3, 0), variance: f64(1, 2) },
  ]);
  assert.deepEqual([...p.mean], [2, 0]);
  assert.deepEqual([...p.variance!], [2, 3]);
  // Weights 3:1 on sample 0: mean 1.5, variance 1 + (3·0.25 + 1·2.25)/4 = 1.75.
  const w = mixture(
    [
      { mean: f64(1), variance: f64(1) },
      { mean: f64(3), variance: f64(1) },
    ],
    [3, 1],
  );
  assert.deepEqual([...w.mean, ...w.variance!], [1.5, 1.75]);
  // A member without a variance leaves the mixture with its mean only; weights must be usable.
  assert.equal(mixture([{ mean: f64(1) }, { mean: f64(2), variance: f64(1) }]).variance, undefined);
  assert.throws(() => mixture([{ mean: f64(1) }], [0]), /weights sum to 0/);
  assert.throws(() => mixture([{ mean: f64(1) }], [-1]), /finite weights >= 0/);
});

test('the median of means: the middle member, or the mean of the two middle ones', () => {
  assert.deepEqual([...medianOfMeans([f64(1, -5), f64(10, 2), f64(2, 0)])], [2, 0]);
  assert.deepEqual([...medianOfMeans([f64(1), f64(10), f64(2), f64(4)])], [3]);
  assert.throws(() => medianOfMeans([f64(1), f64(1, 2)]), /differ in length/);
});

test('the linear combiner recovers an exact linear relation (no ridge), and the ridge shrinks the weights', () => {
  // y = 1 + 2·a − b on four rows.
  const a = f64(0, 1, 2, 3);
  const b = f64(1, 0, 2, 5);
  const y = a.map((v, r) => 1 + 2 * v - b[r]!);
  const exact = fitLinearCombiner([a, b], y, 0);
  close(exact.weights[0]!, 2, 'w_a', 1e-9);
  close(exact.weights[1]!, -1, 'w_b', 1e-9);
  close(exact.intercept, 1, 'intercept', 1e-9);
  assert.deepEqual(
    [...applyLinearCombiner(exact, [a, b])].map((v) => Math.round(v * 1e9) / 1e9),
    [...y],
  );
  // One member, y = 2x on x = (0, 1, 2): centred Sxx = 2, Sxy = 4; λ = 0.5·3 = 1.5 → w = 4/3.5.
  const ridge = fitLinearCombiner([f64(0, 1, 2)], f64(0, 2, 4), 0.5);
  close(ridge.weights[0]!, 4 / 3.5, 'ridge weight');
  close(ridge.intercept, 2 - (4 / 3.5) * 1, 'ridge intercept');
  assert.throws(() => fitLinearCombiner([f64(1, 1), f64(2, 2)], f64(0, 1), 0), /degenerate/);
});

test('residual variance divides by the rows left after fitting', () => {
  close(residualVariance(f64(1, 2, 3), f64(0, 2, 5)), 5 / 3, 'unfitted');
  close(residualVariance(f64(1, 2, 3), f64(0, 2, 5), 2), 5, 'two fitted values');
  assert.throws(() => residualVariance(f64(1), f64(1), 1), /cannot estimate/);
});

test('a Gaussian head in target units: mean offset + scale·μ, variance scale²·(softplus(raw) + 1e-6)', () => {
  const p = predictiveOf(Float32Array.from([0.5, 0, -1, 40]), 2, { offset: 10, scale: 2 });
  assert.deepEqual([...p.mean], [11, 8]);
  close(p.variance![0]!, 4 * (Math.log(2) + 1e-6), 'softplus(0)');
  close(p.variance![1]!, 4 * (40 + 1e-6), 'softplus(40) ≈ 40', 1e-9);
  close(varianceFromRaw(-50), Math.log1p(Math.exp(-50)) + 1e-6, 'small raw');
});

test('point errors: RMSE, MAE and R² of a hand-worked case', () => {
  const y = f64(1, 2, 3, 4);
  const p = f64(1, 3, 2, 4);
  close(rootMeanSquaredError(p, y), Math.sqrt(0.5), 'RMSE');
  close(meanAbsoluteError(p, y), 0.5, 'MAE');
  // Σ(y−ŷ)² = 2, Σ(y−ȳ)² = 5 → R² = 0.6.
  close(coefficientOfDetermination(p, y), 0.6, 'R²');
  assert.equal(coefficientOfDetermination(f64(2, 2), f64(2, 2)), 1);
  assert.equal(coefficientOfDetermination(f64(1, 2), f64(2, 2)), 0);
});

test('Gaussian NLL and interval coverage of a hand-worked case', () => {
  // N(0, 1) at y = 0: ½ log 2π; N(0, 4) at y = 2: ½ log 8π + 1/2.
  close(
    gaussianNegativeLogLikelihood(f64(0, 0), f64(1, 4), f64(0, 2)),
    (0.5 * Math.log(2 * Math.PI) + 0.5 * Math.log(8 * Math.PI) + 0.5) / 2,
    'NLL',
  );
  // The 90% interval is ±1.645σ: 1.6 is in, 1.7 is out (σ = 1); 3.2 is in for σ = 2.
  const mean = f64(0, 0, 0, 0);
  const variance = f64(1, 1, 4, 1);
  assert.equal(intervalCoverage(mean, variance, f64(1.6, -1.7, 3.2, 0), 0.9), 0.75);
  assert.equal(intervalCoverage(mean, variance, f64(1.6, -1.7, 3.2, 0), 0.5), 0.25);
  assert.throws(() => gaussianNegativeLogLikelihood(f64(0), f64(0), f64(0)), /not positive/);
});
