/** Fraction of samples on which two predictors choose the same class (e.g. student vs teacher). */
import { NonRetryableError } from '../errors.ts';
import { checkNonEmpty } from '../ensemble/validate.ts';

export function agreement(predictedA: Int32Array, predictedB: Int32Array): number {
  if (predictedA.length !== predictedB.length) {
    throw new NonRetryableError(`agreement: ${predictedA.length} predictions against ${predictedB.length}`);
  }
  checkNonEmpty(predictedA.length, 'agreement');
  let same = 0;
  for (let i = 0; i < predictedA.length; i++) if (predictedA[i] === predictedB[i]) same++;
  return same / predictedA.length;
}
