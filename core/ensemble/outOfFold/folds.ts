import { NonRetryableError } from '../../errors.ts';
import { permutation } from '../../data/random.ts';

/**
 * K-fold assignment of the training split's n rows for out-of-fold stacking (scikit-learn's KFold with
 * shuffling, not stratified): a seeded permutation cut into k contiguous parts whose sizes differ by at
 * most one (larger first). Entry r is the fold that holds row r out.
 */
export function foldAssignment(n: number, k: number, seed: number): Int32Array {
  if (!Number.isInteger(k) || k < 2) throw new NonRetryableError(`folds: expected an integer >= 2, got ${k}`);
  if (n < k) {
    throw new NonRetryableError(
      `ensemble.stacking.folds: ${k} folds need at least ${k} training samples, the training split has ${n}`,
    );
  }
  const order = permutation(n, seed);
  const out = new Int32Array(n);
  const base = Math.floor(n / k);
  const extra = n - base * k;
  let start = 0;
  for (let f = 0; f < k; f++) {
    const end = start + base + (f < extra ? 1 : 0);
    for (let p = start; p < end; p++) out[order[p]!] = f;
    start = end;
  }
  return out;
}

/** The rows fold `f` holds out (`heldOut`), or trains on (the others), ascending. */
export function foldRows(assignment: Int32Array, f: number, heldOut: boolean): Int32Array {
  const rows: number[] = [];
  for (let r = 0; r < assignment.length; r++) if ((assignment[r] === f) === heldOut) rows.push(r);
  return Int32Array.from(rows);
}

/**
 * Every row's out-of-fold prediction: fold f's predictions (rows of `width` values, for its held-out
 * rows in ascending order) put back at those rows. The result, [n, width], is what a model that never
 * saw each row predicted for it: the stacking combiner fits on it.
 */
export function assembleOutOfFold(
  assignment: Int32Array,
  foldPredictions: readonly Float32Array[],
  width: number,
): Float32Array {
  const n = assignment.length;
  const out = new Float32Array(n * width);
  const next = new Int32Array(foldPredictions.length);
  for (let r = 0; r < n; r++) {
    const f = assignment[r]!;
    const p = foldPredictions[f];
    if (!p) throw new NonRetryableError(`out-of-fold: no predictions for fold ${f}`);
    const k = next[f]!;
    if ((k + 1) * width > p.length)
      throw new NonRetryableError(`out-of-fold: fold ${f}'s predictions are too short`);
    out.set(p.subarray(k * width, (k + 1) * width), r * width);
    next[f] = k + 1;
  }
  foldPredictions.forEach((p, f) => {
    if (next[f]! * width !== p.length) {
      throw new NonRetryableError(
        `out-of-fold: fold ${f} has ${p.length / width} predictions for ${next[f]} rows`,
      );
    }
  });
  return out;
}
