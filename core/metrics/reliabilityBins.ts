/**
 * Reliability bins, from which the expected calibration error is computed (Guo et al. 2017, "On Calibration
 * of Modern Neural Networks"). Confidence = a row's largest probability; the prediction = its argmax (ties →
 * lowest index).
 * `bins` equal-width bins cover (0, 1]: bin b holds confidences in (b/bins, (b+1)/bins], so a confidence
 * exactly on a boundary belongs to the lower bin and 1.0 to the last. Boundaries are the float64 numbers
 * b/bins and confidences are compared as float64 (a float32 0.6 is 0.60000002… and so lies above 9/15).
 * A confidence of 0 (impossible for a probability row) would go to bin 0.
 */
import { NonRetryableError } from '../errors.ts';
import { checkLabels, checkNonEmpty, checkProbabilities, rowsOf } from '../ensemble/validate.ts';
import { argmaxRow } from './argmaxRows.ts';

export const DEFAULT_CALIBRATION_BINS = 15;

export interface ReliabilityBin {
  /** Exclusive lower edge b/bins. */
  lower: number;
  /** Inclusive upper edge (b+1)/bins. */
  upper: number;
  /** Samples whose confidence falls in the bin. */
  count: number;
  /** Mean confidence of those samples; null when the bin is empty. */
  meanConfidence: number | null;
  /** Fraction of those samples predicted correctly; null when the bin is empty. */
  accuracy: number | null;
}

/** The bin of a confidence in (0, 1]: the smallest b with confidence <= (b+1)/bins. */
export function binOf(confidence: number, bins: number): number {
  // ceil(c * bins) - 1 can be off by one when c * bins rounds across an integer; fix against the edges.
  let b = Math.min(bins - 1, Math.max(0, Math.ceil(confidence * bins) - 1));
  while (b > 0 && confidence <= b / bins) b--;
  while (b < bins - 1 && confidence > (b + 1) / bins) b++;
  return b;
}

/** Per-bin count, mean confidence and accuracy, for reliability diagrams. */
export function reliabilityBins(
  probabilities: Float32Array,
  labels: Int32Array,
  classes: number,
  bins = DEFAULT_CALIBRATION_BINS,
): ReliabilityBin[] {
  if (!Number.isInteger(bins) || bins < 1) {
    throw new NonRetryableError(`bins must be a positive integer, got ${bins}`);
  }
  const n = rowsOf(probabilities, classes, 'probabilities');
  checkNonEmpty(n, 'probabilities');
  checkProbabilities(probabilities, classes, 'probabilities');
  checkLabels(labels, n, classes);
  const count = new Array<number>(bins).fill(0);
  const confidenceSum = new Array<number>(bins).fill(0);
  const correct = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    const predicted = argmaxRow(probabilities, i * classes, classes);
    const confidence = Math.min(1, probabilities[i * classes + predicted]!); // float32 rounding may exceed 1
    const b = binOf(confidence, bins);
    count[b]!++;
    confidenceSum[b]! += confidence;
    if (predicted === labels[i]) correct[b]!++;
  }
  return count.map((c, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count: c,
    meanConfidence: c === 0 ? null : confidenceSum[b]! / c,
    accuracy: c === 0 ? null : correct[b]! / c,
  }));
}
