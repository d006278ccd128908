/**
 * A float64 reference of the distillation loss in plain TypeScript, to test the tfjs version against:
 * same definition as loss.ts, every intermediate a JS number.
 */
import { NonRetryableError } from '../errors.ts';

export interface DistillationLossParts {
  /** alpha · soft + (1 − alpha) · hard. */
  loss: number;
  /** T² · mean KL(p_teacher ‖ softmax(s / T)). */
  soft: number;
  /** mean CE(y, softmax(s)). */
  hard: number;
}

/** log softmax(row / T) of one row, in float64. */
export function logSoftmaxRow(
  row: ArrayLike<number>,
  offset: number,
  classes: number,
  temperature: number,
): number[] {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, row[offset + c]! / temperature);
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(row[offset + c]! / temperature - max);
  const logSum = Math.log(sum);
  const out: number[] = [];
  for (let c = 0; c < classes; c++) out.push(row[offset + c]! / temperature - max - logSum);
  return out;
}

/**
 * `labels`: class indices (length n) or label rows ([n, classes], e.g. one-hot);
 * `studentLogits`, `teacherSoftTargets`: row-major [n, classes].
 */
export function distillationLossReference(
  labels: Int32Array | ArrayLike<number>,
  studentLogits: ArrayLike<number>,
  teacherSoftTargets: ArrayLike<number>,
  classes: number,
  temperature: number,
  alpha: number,
): DistillationLossParts {
  const n = studentLogits.length / classes;
  if (!Number.isInteger(n) || teacherSoftTargets.length !== studentLogits.length) {
    throw new NonRetryableError('reference: studentLogits and teacherSoftTargets must both be [n, classes]');
  }
  const indexLabels = labels instanceof Int32Array;
  if (indexLabels ? labels.length !== n : labels.length !== n * classes) {
    throw new NonRetryableError('reference: labels do not match the student rows');
  }
  let soft = 0;
  let hard = 0;
  for (let i = 0; i < n; i++) {
    const o = i * classes;
    const logQT = logSoftmaxRow(studentLogits, o, classes, temperature);
    const logQ = logSoftmaxRow(studentLogits, o, classes, 1);
    for (let c = 0; c < classes; c++) {
      const p = teacherSoftTargets[o + c]!;
      if (p > 0) soft += p * (Math.log(p) - logQT[c]!);
      const y = indexLabels ? (labels[i] === c ? 1 : 0) : labels[o + c]!;
      if (y !== 0) hard -= y * logQ[c]!;
    }
  }
  soft = (temperature * temperature * soft) / n;
  hard /= n;
  return { loss: alpha * soft + (1 - alpha) * hard, soft, hard };
}
