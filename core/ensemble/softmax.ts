/**
 * Row-wise softmax and log-softmax of row-major [n, classes] logits at a temperature.
 * Stable: each row's maximum is subtracted before exponentiating; sums are float64.
 */
import { checkFinite, checkTemperature, rowsOf } from './validate.ts';

/**
 * softmax(row / temperature) of one row, in float64, written to `out[outOffset ..]`.
 * No input checks: callers validate. Shared with the soft-target code so no float32 rounding sits in between.
 */
export function softmaxRowInto(
  src: ArrayLike<number>,
  offset: number,
  classes: number,
  temperature: number,
  out: Float64Array,
  outOffset: number,
): void {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, src[offset + c]!);
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    const e = Math.exp((src[offset + c]! - max) / temperature);
    out[outOffset + c] = e;
    sum += e;
  }
  for (let c = 0; c < classes; c++) out[outOffset + c] = out[outOffset + c]! / sum;
}

/** Probabilities softmax(logits / temperature), row by row. */
export function softmaxRows(logits: Float32Array, classes: number, temperature = 1): Float32Array {
  const n = rowsOf(logits, classes, 'logits');
  checkTemperature(temperature);
  checkFinite(logits, classes, 'logits');
  const row = new Float64Array(classes);
  const out = new Float32Array(logits.length);
  for (let r = 0; r < n; r++) {
    softmaxRowInto(logits, r * classes, classes, temperature, row, 0);
    out.set(row, r * classes);
  }
  return out;
}

/** Log-probabilities log softmax(logits / temperature), row by row: (x - max)/T - log Σ exp((x - max)/T). */
export function logSoftmaxRows(logits: Float32Array, classes: number, temperature = 1): Float32Array {
  const n = rowsOf(logits, classes, 'logits');
  checkTemperature(temperature);
  checkFinite(logits, classes, 'logits');
  const out = new Float32Array(logits.length);
  for (let r = 0; r < n; r++) {
    const o = r * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[o + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp((logits[o + c]! - max) / temperature);
    const logSum = Math.log(sum);
    for (let c = 0; c < classes; c++) out[o + c] = (logits[o + c]! - max) / temperature - logSum;
  }
  return out;
}
