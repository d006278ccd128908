import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binOf, reliabilityBins } from '../../core/metrics/reliabilityBins.ts';
import { expectedCalibrationError } from '../../core/metrics/expectedCalibrationError.ts';
import { NonRetryableError } from '../../core/errors.ts';

// Four samples, two classes, 15 bins (bin b holds (b/15, (b+1)/15]):
//   [0.75, 0.25]  y=0  conf 0.75  → bin 11 (0.7333, 0.8]   right
//   [0.25, 0.75]  y=0  conf 0.75  → bin 11                 wrong
//   [0.875,0.125] y=0  conf 0.875 → bin 13 (0.8667, 0.9333] right
//   [0.5, 0.5]    y=1  conf 0.5   → bin 7 (0.4667, 0.5333]  wrong (tie → predicts class 0)
// ECE = 2/4·|0.5 − 0.75| + 1/4·|1 − 0.875| + 1/4·|0 − 0.5| = 0.125 + 0.03125 + 0.125 = 0.28125
const probs = Float32Array.from([0.75, 0.25, 0.25, 0.75, 0.875, 0.125, 0.5, 0.5]);
const labels = Int32Array.from([0, 0, 0, 1]);

test('ECE worked out by hand: 0.28125', () => {
  assert.equal(expectedCalibrationError(probs, labels, 2), 0.28125);
});

test('reliability bins: counts, mean confidence and accuracy; empty bins are null', () => {
  const bins = reliabilityBins(probs, labels, 2);
  assert.equal(bins.length, 15);
  assert.deepEqual(bins[7], { lower: 7 / 15, upper: 8 / 15, count: 1, meanConfidence: 0.5, accuracy: 0 });
  assert.deepEqual(bins[11], {
    lower: 11 / 15,
    upper: 12 / 15,
    count: 2,
    meanConfidence: 0.75,
    accuracy: 0.5,
  });
  assert.deepEqual(bins[13], {
    lower: 13 / 15,
    upper: 14 / 15,
    count: 1,
    meanConfidence: 0.875,
    accuracy: 1,
  });
  for (const b of [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 14]) {
    assert.deepEqual(bins[b], {
      lower: b / 15,
      upper: (b + 1) / 15,
      count: 0,
      meanConfidence: null,
      accuracy: null,
    });
  }
  assert.equal(
    bins.reduce((s, b) => s + b.count, 0),
    4,
  );
});

test('empty bins contribute nothing: everything in one bin gives |acc − conf| of that bin', () => {
  // Three samples at confidence 0.875 (bin 13), two right: ECE = |2/3 − 0.875| = 0.208333…; 14 bins empty.
  const p = Float32Array.from([0.875, 0.125, 0.125, 0.875, 0.875, 0.125]);
  const ece = expectedCalibrationError(p, Int32Array.from([0, 1, 1]), 2);
  assert.ok(Math.abs(ece - (0.875 - 2 / 3)) < 1e-12, String(ece));
  assert.equal(reliabilityBins(p, Int32Array.from([0, 1, 1]), 2).filter((b) => b.count === 0).length, 14);
});

test('a perfectly calibrated predictor has ECE 0', () => {
  // conf 0.75 ×4 with 3 right; conf 0.5 ×2 with 1 right; conf 1.0 ×1 right.
  const p = Float32Array.from([0.75, 0.25, 0.75, 0.25, 0.25, 0.75, 0.25, 0.75, 0.5, 0.5, 0.5, 0.5, 1, 0]);
  const y = Int32Array.from([0, 0, 1, 0, 0, 1, 0]);
  assert.equal(expectedCalibrationError(p, y, 2), 0);
  // … and flipping one label breaks it: conf-0.75 bin accuracy 2/4 → ECE = 4/7 · 0.25
  const y2 = Int32Array.from([1, 0, 1, 0, 0, 1, 0]);
  assert.ok(Math.abs(expectedCalibrationError(p, y2, 2) - (4 / 7) * 0.25) < 1e-12);
});

test('boundaries: a confidence on b/bins goes to the lower bin, 1.0 to the last', () => {
  // 4 bins: (0, .25], (.25, .5], (.5, .75], (.75, 1]
  const p = Float32Array.from([0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 0, 0, 0.75, 0.25, 0, 0, 1, 0, 0, 0]);
  const bins = reliabilityBins(p, Int32Array.from([0, 0, 0, 0]), 4, 4);
  assert.deepEqual(
    bins.map((b) => b.count),
    [1, 1, 1, 1],
  );
  assert.deepEqual(
    bins.map((b) => b.meanConfidence),
    [0.25, 0.5, 0.75, 1],
  );
  // Exact edges k/bins land in bin k − 1 for many bin counts, despite k/bins · bins rounding.
  for (let bins = 1; bins <= 60; bins++) {
    for (let k = 1; k <= bins; k++) {
      assert.equal(binOf(k / bins, bins), k - 1, `binOf(${k}/${bins})`);
      if (k < bins) assert.equal(binOf(k / bins + Number.EPSILON, bins), k, `just above ${k}/${bins}`);
    }
  }
});

test('ECE rejects bad bins, labels and non-probabilities', () => {
  assert.throws(() => expectedCalibrationError(probs, labels, 2, 0), /bins/);
  assert.throws(() => expectedCalibrationError(probs, Int32Array.from([0, 0]), 2), /2 labels for 4/);
  assert.throws(
    () => expectedCalibrationError(Float32Array.from([3, -2]), Int32Array.from([0]), 2),
    NonRetryableError,
  );
});
