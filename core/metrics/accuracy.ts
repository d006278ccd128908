/** Fraction of samples whose predicted class equals the label. */
import { NonRetryableError } from '../errors.ts';
import { checkLabels, checkNonEmpty } from '../ensemble/validate.ts';
import { argmaxRows } from './argmaxRows.ts';

/**
 * `predicted` is either the predicted class per sample (Int32Array, length n) or row-major [n, classes]
 * scores (Float32Array: logits or probabilities, argmax taken with ties → lowest index), where n is the
 * number of labels and classes = predicted.length / n.
 */
export function accuracy(predicted: Int32Array | Float32Array, labels: Int32Array): number {
  const n = labels.length;
  checkNonEmpty(n, 'labels');
  let predictedClasses: Int32Array;
  if (predicted instanceof Int32Array) {
    if (predicted.length !== n) {
      throw new NonRetryableError(`predicted classes: ${predicted.length} predictions for ${n} labels`);
    }
    checkLabels(labels, n, 2 ** 31); // class count unknown here: only negative labels are certainly wrong
    predictedClasses = predicted;
  } else {
    if (predicted.length === 0 || predicted.length % n !== 0) {
      throw new NonRetryableError(
        `predicted scores: length ${predicted.length} is not [${n}, classes] for ${n} labels`,
      );
    }
    const classes = predicted.length / n;
    checkLabels(labels, n, classes);
    predictedClasses = argmaxRows(predicted, classes);
  }
  let correct = 0;
  for (let i = 0; i < n; i++) if (predictedClasses[i] === labels[i]) correct++;
  return correct / n;
}
