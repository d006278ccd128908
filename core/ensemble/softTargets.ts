/**
 * A teacher's soft targets at temperature T (Hinton et al. 2015). For an ensemble teacher:
 * - `probabilities` (the default in DESIGN.md): p = Σ_i w_i softmax(t_i / T) / Σ_i w_i
 * - `logits`: p = softmax((Σ_i w_i t_i / Σ_i w_i) / T)
 * A single teacher is the one-member case, where both modes agree. Computed in float64, returned as float32.
 */
import { NonRetryableError } from '../errors.ts';
import { softmaxRowInto } from './softmax.ts';
import { checkFinite, checkMembers, checkTemperature, checkWeights } from './validate.ts';
import { weightedMeanRows } from './weightedMean.ts';

export type SoftTargetMode = 'probabilities' | 'logits';

export function teacherSoftTargets(
  memberLogits: readonly Float32Array[],
  classes: number,
  temperature: number,
  mode: SoftTargetMode = 'probabilities',
  weights?: readonly number[],
): Float32Array {
  const n = checkMembers(memberLogits, classes, 'memberLogits');
  memberLogits.forEach((t, i) => checkFinite(t, classes, `memberLogits[${i}]`));
  checkTemperature(temperature);
  const w = checkWeights(weights, memberLogits.length);
  if (mode !== 'probabilities' && mode !== 'logits') {
    throw new NonRetryableError(
      `soft-target mode must be 'probabilities' or 'logits', got '${String(mode)}'`,
    );
  }
  const out = new Float64Array(n * classes);
  if (mode === 'logits') {
    const mean = weightedMeanRows(memberLogits, w);
    for (let r = 0; r < n; r++) softmaxRowInto(mean, r * classes, classes, temperature, out, r * classes);
    return Float32Array.from(out);
  }
  let total = 0;
  for (const wi of w) total += wi;
  const row = new Float64Array(classes);
  memberLogits.forEach((t, i) => {
    const wi = w[i]!;
    if (wi === 0) return;
    for (let r = 0; r < n; r++) {
      softmaxRowInto(t, r * classes, classes, temperature, row, 0);
      for (let c = 0; c < classes; c++) out[r * classes + c] = out[r * classes + c]! + wi * row[c]!;
    }
  });
  for (let k = 0; k < out.length; k++) out[k] = out[k]! / total;
  return Float32Array.from(out);
}
