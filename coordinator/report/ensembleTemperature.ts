import { meanLogits } from '../../core/ensemble/meanLogits.ts';
import { softmaxRows } from '../../core/ensemble/softmax.ts';
import { softVote } from '../../core/ensemble/softVote.ts';
import {
  applyTemperature,
  fitTemperature,
  type TemperatureInput,
} from '../../core/ensemble/temperatureScaling.ts';

/** How members' logits are combined: the soft vote (mean of probabilities) or the mean of logits. */
export type Average = 'probabilities' | 'logits';

/**
 * Temperature scaling after averaging, for one combination of members (the soft vote, or the teacher that
 * the exported ensemble model computes). The report and the export both go through here, so the same
 * validation logits always give the same T.
 */
export function combinedScores(
  memberLogits: readonly Float32Array[],
  classes: number,
  weights: readonly number[],
  average: Average,
): { scores: Float32Array; input: TemperatureInput } {
  return average === 'logits'
    ? { scores: meanLogits(memberLogits, classes, weights), input: 'logits' }
    : {
        scores: softVote(
          memberLogits.map((t) => softmaxRows(t, classes)),
          classes,
          weights,
        ),
        input: 'probabilities',
      };
}

/** T fitted (minimum NLL) on the combination's validation outputs. */
export function fitEnsembleTemperature(
  memberValidationLogits: readonly Float32Array[],
  validationLabels: Int32Array,
  classes: number,
  weights: readonly number[],
  average: Average,
): number {
  const { scores, input } = combinedScores(memberValidationLogits, classes, weights, average);
  return fitTemperature(scores, validationLabels, classes, { input }).temperature;
}

/** The combination's calibrated probabilities softmax(log(p) / T). */
export function calibratedProbabilities(
  memberLogits: readonly Float32Array[],
  classes: number,
  weights: readonly number[],
  average: Average,
  temperature: number,
): Float32Array {
  const { scores, input } = combinedScores(memberLogits, classes, weights, average);
  return applyTemperature(scores, classes, temperature, { input });
}
