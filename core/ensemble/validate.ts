/**
 * Input checks shared by the ensemble maths and the metrics. Every check throws a `NonRetryableError`
 * naming the input and the offending position: a shape mismatch or a NaN cannot be fixed by a retry.
 */
import { NonRetryableError } from '../errors.ts';

/** How far a probability row may sum from 1 (float32 softmax rows are within ~1e-6; logits are far off). */
export const PROBABILITY_SUM_TOLERANCE = 1e-3;

/** How far above 1 a single probability may be (float32 rounding). */
const PROBABILITY_MAX_EXCESS = 1e-5;

/** Throws unless `classes` is a positive integer. */
export function checkClasses(classes: number): void {
  if (!Number.isInteger(classes) || classes < 1) {
    throw new NonRetryableError(`classes must be a positive integer, got ${classes}`);
  }
}

/** Throws unless `temperature` is finite and > 0. */
export function checkTemperature(temperature: number): void {
  if (!Number.isFinite(temperature) || temperature <= 0) {
    throw new NonRetryableError(`temperature must be a finite number > 0, got ${temperature}`);
  }
}

/** Number of rows of a row-major [n, classes] array; throws when its length is not a multiple of `classes`. */
export function rowsOf(values: Float32Array, classes: number, what: string): number {
  checkClasses(classes);
  if (values.length % classes !== 0) {
    throw new NonRetryableError(
      `${what}: length ${values.length} is not a multiple of classes (${classes}), so it is not [n, ${classes}]`,
    );
  }
  return values.length / classes;
}

/** Throws at the first NaN or infinity, naming its row and column. */
export function checkFinite(values: Float32Array, classes: number, what: string): void {
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (!Number.isFinite(v)) {
      throw new NonRetryableError(
        `${what}: non-finite value ${v} at row ${Math.floor(k / classes)}, column ${k % classes}`,
      );
    }
  }
}

/** Throws unless every value is in [0, 1] and every row sums to 1 (within `PROBABILITY_SUM_TOLERANCE`). */
export function checkProbabilities(values: Float32Array, classes: number, what: string): void {
  const n = rowsOf(values, classes, what);
  for (let r = 0; r < n; r++) {
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const v = values[r * classes + c]!;
      if (!(v >= 0 && v <= 1 + PROBABILITY_MAX_EXCESS)) {
        throw new NonRetryableError(`${what}: ${v} at row ${r}, column ${c} is not a probability in [0, 1]`);
      }
      sum += v;
    }
    if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
      throw new NonRetryableError(
        `${what}: row ${r} sums to ${sum}, not 1 (were logits passed as probabilities?)`,
      );
    }
  }
}

/**
 * Checks a list of members' [n, classes] arrays: at least one member, all of the same shape.
 * Returns n.
 */
export function checkMembers(members: readonly Float32Array[], classes: number, what: string): number {
  checkClasses(classes);
  const first = members[0];
  if (first === undefined) throw new NonRetryableError(`${what}: no members given`);
  const n = rowsOf(first, classes, `${what}[0]`);
  members.forEach((m, i) => {
    if (m.length !== first.length) {
      throw new NonRetryableError(
        `${what}[${i}]: length ${m.length} differs from member 0's ${first.length} (both should be [n, ${classes}])`,
      );
    }
  });
  return n;
}

/**
 * Member weights: one finite, non-negative number per member, not all zero. `undefined` means equal weights.
 * Returns the weights as given (not normalised).
 */
export function checkWeights(weights: readonly number[] | undefined, members: number): number[] {
  if (weights === undefined) return new Array<number>(members).fill(1);
  if (weights.length !== members) {
    throw new NonRetryableError(`weights: ${weights.length} given for ${members} members`);
  }
  let sum = 0;
  weights.forEach((w, i) => {
    if (!Number.isFinite(w) || w < 0) {
      throw new NonRetryableError(`weights[${i}]: must be a finite number >= 0, got ${w}`);
    }
    sum += w;
  });
  if (sum <= 0) throw new NonRetryableError('weights: all weights are zero, so no member counts');
  return [...weights];
}

/** The weights `checkWeights` would return, or undefined where it would throw (without building a message). */
export function validWeights(weights: readonly number[] | undefined, members: number): number[] | undefined {
  if (weights === undefined) return new Array<number>(members).fill(1);
  if (weights.length !== members) return undefined;
  let sum = 0;
  for (const w of weights) {
    if (!Number.isFinite(w) || w < 0) return undefined;
    sum += w;
  }
  return sum > 0 ? [...weights] : undefined;
}

/** Throws unless `labels` has `n` entries, each an integer class index in [0, classes). */
export function checkLabels(labels: Int32Array, n: number, classes: number, what = 'labels'): void {
  if (labels.length !== n) {
    throw new NonRetryableError(`${what}: ${labels.length} labels for ${n} samples`);
  }
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (y < 0 || y >= classes) {
      throw new NonRetryableError(`${what}[${i}]: class ${y} is outside [0, ${classes})`);
    }
  }
}

/** Throws when there are no samples: a mean over none is undefined. */
export function checkNonEmpty(n: number, what: string): void {
  if (n === 0) throw new NonRetryableError(`${what}: no samples`);
}
