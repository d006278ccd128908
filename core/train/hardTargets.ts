import { NonRetryableError } from '../errors.ts';
import type { ClassWeightsSpec } from '../spec/trainRecipe.ts';

/**
 * Label smoothing and class weights as target rows: row i = w[y_i] · ((1 − ε) · onehot(y_i) + ε / K), so
 * −(1/n) Σ_i Σ_c row_ic · log softmax(s_i)_c is the smoothed, class-weighted cross-entropy (Keras'
 * convention: weights scale each sample's loss, the mean is over samples).
 */
export class HardTargets {
  constructor(
    private readonly classes: number,
    private readonly smoothing: number,
    /** Weight per class; undefined = 1 each. */
    private readonly weights: Float32Array | undefined,
  ) {}

  /** Fills `out` ([count, classes]) with the target rows of `labels[0..count)`. */
  fill(labels: Int32Array, count: number, out: Float32Array): void {
    const k = this.classes;
    const off = this.smoothing / k;
    const on = 1 - this.smoothing + off;
    for (let i = 0; i < count; i++) {
      const y = labels[i]!;
      const w = this.weights ? this.weights[y]! : 1;
      out.fill(w * off, i * k, (i + 1) * k);
      out[i * k + y] = w * on;
    }
  }
}

/**
 * Per-class weights from the job's setting: `balanced` = n / (classes · n_c) over the rows trained on
 * (sklearn's formula; a class with no rows gets 1), or a map of class index to weight (others 1).
 */
export function resolveClassWeights(
  spec: ClassWeightsSpec,
  classes: number,
  labels: Int32Array,
  rows: Int32Array | undefined,
  path: string,
): Float32Array {
  const weights = new Float32Array(classes).fill(1);
  if (spec === 'balanced') {
    const counts = new Float64Array(classes);
    const n = rows ? rows.length : labels.length;
    for (let i = 0; i < n; i++) counts[labels[rows ? rows[i]! : i]!]! += 1;
    for (let c = 0; c < classes; c++) if (counts[c]! > 0) weights[c] = n / (classes * counts[c]!);
    return weights;
  }
  for (const [key, w] of Object.entries(spec)) {
    const c = Number(key);
    if (c >= classes) {
      throw new NonRetryableError(`${path}.${key}: no class ${key}: the data has ${classes} classes`);
    }
    weights[c] = w;
  }
  return weights;
}
