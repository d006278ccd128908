import type * as tf from '@tensorflow/tfjs';
import { ChorusError } from '../errors.ts';

/** A training step's loss as a number (the tensor is disposed); a loss that is no longer finite ends training. */
export function finiteLoss(lossTensor: tf.Tensor): number {
  const value = lossTensor.dataSync()[0] ?? Number.NaN;
  lossTensor.dispose();
  if (!Number.isFinite(value)) {
    throw new ChorusError(
      `the training loss became ${value}: lower the learning rate or check the data scaling`,
    );
  }
  return value;
}
