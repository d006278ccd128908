import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outOfBagRows } from '../../core/data/bootstrapRows.ts';
import { permutation } from '../../core/data/random.ts';
import { fitLinearCombiner } from '../../core/ensemble/regression/linearStacking.ts';
import { assembleOutOfFold, foldAssignment, foldRows } from '../../core/ensemble/outOfFold/folds.ts';
import { disagreementMatrix } from '../../core/metrics/diagnostics/disagreement.ts';
import { klFromEnsemble } from '../../core/metrics/diagnostics/klFromEnsemble.ts';
import { outOfBagScores } from '../../core/metrics/diagnostics/outOfBag.ts';

/** Out-of-fold stacking, out-of-bag scores and the diversity diagnostics on hand-worked cases. */

const f32 = (...v: number[]) => Float32Array.from(v);
const i32 = (...v: number[]) => Int32Array.from(v);

test('k-fold assignment: the seeded permutation cut into parts of sizes differing by at most one, larger first', () => {
  // 7 rows, 3 folds: sizes 3, 2, 2, taken from the permutation in order.
  const order = [...permutation(7, 42)];
  const assignment = foldAssignment(7, 3, 42);
  const expected = new Array<number>(7);
  order.forEach((row, p) => (expected[row] = p < 3 ? 0 : p < 5 ? 1 : 2));
  assert.deepEqual([...assignment], expected);
  // Every row is held out exactly once; a fold trains on every other row.
  for (let f = 0; f < 3; f++) {
    const held = [...foldRows(assignment, f, true)];
    const trained = [...foldRows(assignment, f, false)];
    assert.equal(held.length, f === 0 ? 3 : 2);
    assert.deepEqual(
      [...held, ...trained].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(
      held,
      [...held].sort((a, b) => a - b),
      'ascending',
    );
  }
  assert.deepEqual([...foldAssignment(7, 3, 42)], [...assignment], 'the same seed, the same folds');
  assert.throws(() => foldAssignment(2, 3, 1), /3 folds need at least 3 training samples/);
  assert.throws(() => foldAssignment(5, 1, 1), /expected an integer >= 2/);
});

test('out-of-fold predictions are put back at the rows each fold held out', () => {
  // Rows 0..4; fold 0 holds out rows 1 and 4, fold 1 rows 0, 2, 3. Two values per row.
  const assignment = i32(1, 0, 1, 1, 0);
  const fold0 = f32(10, 11, 40, 41); // rows 1, 4 in ascending order
  const fold1 = f32(0, 1, 20, 21, 30, 31); // rows 0, 2, 3
  assert.deepEqual(
    [...assembleOutOfFold(assignment, [fold0, fold1], 2)],
    [0, 1, 10, 11, 20, 21, 30, 31, 40, 41],
  );
  assert.throws(() => assembleOutOfFold(assignment, [fold0, f32(0, 1)], 2), /too short/);
  assert.throws(
    () => assembleOutOfFold(assignment, [f32(10, 11, 40, 41, 9, 9), fold1], 2),
    /3 predictions for 2 rows/,
  );
});

test('a combiner fitted out of fold sees every training row once, with predictions that never saw it', () => {
  // Hand-worked: two members' out-of-fold means on 4 rows where y = a + b exactly.
  const assignment = i32(0, 1, 0, 1);
  const a = assembleOutOfFold(assignment, [f32(1, 3), f32(2, 0)], 1); // rows 0, 2 | rows 1, 3
  const b = assembleOutOfFold(assignment, [f32(0, 1), f32(2, 5)], 1);
  assert.deepEqual([...a], [1, 2, 3, 0]);
  assert.deepEqual([...b], [0, 2, 1, 5]);
  const y = f32(1, 4, 4, 5);
  const c = fitLinearCombiner([a, b], y, 0);
  assert.deepEqual(
    [...c.weights, c.intercept].map((v) => Math.round(v * 1e9) / 1e9),
    [1, 1, 0],
  );
});

test('out-of-bag rows are those a bootstrap sample never drew', () => {
  assert.deepEqual([...outOfBagRows(i32(0, 0, 2, 4, 2), 6)], [1, 3, 5]);
  assert.deepEqual([...outOfBagRows(i32(0, 1, 2), 3)], []);
});

test('out-of-bag accuracy: each member on its own out-of-bag rows, the ensemble by the mean of the members out of bag for a row', () => {
  // 4 training rows, 2 classes, labels 0, 1, 1, 0.
  const labels = i32(0, 1, 1, 0);
  const a = { name: 'a', rows: i32(0, 1, 2), probabilities: f32(0.9, 0.1, 0.4, 0.6, 0.7, 0.3) }; // right, right, wrong
  const b = { name: 'b', rows: i32(2, 3), probabilities: f32(0.1, 0.9, 0.6, 0.4) }; // right, right
  const s = outOfBagScores([a, b], labels, 2);
  assert.deepEqual(s.members, [
    { name: 'a', accuracy: 2 / 3, samples: 3 },
    { name: 'b', accuracy: 1, samples: 2 },
  ]);
  // Row 0: a alone → 0 ✓. Row 1: a → 1 ✓. Row 2: mean (0.4, 0.6) → 1 ✓. Row 3: b → 0 ✓.
  assert.deepEqual(s.ensemble, { accuracy: 1, samples: 4 });
  // A row in every bag is left out; a tie goes to the lowest class (as the votes do).
  const tie = outOfBagScores([{ name: 'c', rows: i32(1), probabilities: f32(0.5, 0.5) }], labels, 2);
  assert.deepEqual(tie, {
    members: [{ name: 'c', accuracy: 0, samples: 1 }],
    ensemble: { accuracy: 0, samples: 1 },
  });
  assert.throws(
    () => outOfBagScores([{ name: 'd', rows: i32(9), probabilities: f32(1, 0) }], labels, 2),
    /row 9 of 4/,
  );
});

test('disagreement: the share of samples on which two members predict different classes', () => {
  // Logits of 4 samples, 3 classes: predictions a = 0 1 2 0, b = 0 1 1 1, c = 0 1 2 0.
  const a = f32(5, 0, 0, 0, 5, 0, 0, 0, 5, 3, 1, 1);
  const b = f32(5, 0, 0, 0, 5, 0, 0, 5, 0, 1, 3, 1);
  const c = f32(1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1); // the last row ties: class 0
  assert.deepEqual(disagreementMatrix([a, b, c], 3), [
    [0, 0.5, 0],
    [0.5, 0, 0.5],
    [0, 0.5, 0],
  ]);
});

test('KL of each member from the ensemble: Σ p log(p/q), averaged over samples', () => {
  // One sample, 2 classes: members (1, 0) and (0.5, 0.5); the ensemble is their mean (0.75, 0.25).
  const p1 = f32(1, 0);
  const p2 = f32(0.5, 0.5);
  const q = f32(0.75, 0.25);
  const [k1, k2] = klFromEnsemble([p1, p2], q, 2);
  assert.ok(Math.abs(k1! - Math.log(1 / 0.75)) < 1e-6, `${k1}`);
  assert.ok(Math.abs(k2! - (0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25))) < 1e-6, `${k2}`);
  // A member that is the ensemble is 0 from it; two samples average.
  assert.deepEqual(klFromEnsemble([f32(0.3, 0.7, 0.3, 0.7)], f32(0.3, 0.7, 0.3, 0.7), 2), [0]);
});
