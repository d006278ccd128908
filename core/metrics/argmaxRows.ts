/** Row-wise argmax of row-major [n, classes] scores (logits or probabilities: softmax keeps the order). */
import { checkFinite, rowsOf } from '../ensemble/validate.ts';

/** Index of the largest of `classes` values from `offset`; ties go to the lowest index, as numpy's argmax. */
export function argmaxRow(values: ArrayLike<number>, offset: number, classes: number): number {
  let best = 0;
  let bestValue = values[offset]!;
  for (let c = 1; c < classes; c++) {
    const v = values[offset + c]!;
    if (v > bestValue) {
      best = c;
      bestValue = v;
    }
  }
  return best;
}

/** The predicted class of every row; ties go to the lowest index. NaN or infinite scores throw. */
export function argmaxRows(scores: Float32Array, classes: number): Int32Array {
  const n = rowsOf(scores, classes, 'scores');
  checkFinite(scores, classes, 'scores');
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) out[r] = argmaxRow(scores, r * classes, classes);
  return out;
}
