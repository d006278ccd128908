import * as tf from '@tensorflow/tfjs';
import { featureSize, type Dataset } from '../../data/dataset.ts';
import { ChorusError } from '../../errors.ts';
import type { OutputHead } from '../../spec/jobTask.ts';
import { applyGradientStep } from '../applyGradientStep.ts';
import { finiteLoss } from '../finiteLoss.ts';
import { regressionLoss, type RegressionTeacherBatch } from './regressionLoss.ts';

/**
 * Regression: the model's head, and for a distilled student the teacher's predictive mean (and
 * variance) for every row of the data, in standardised units, mixed with the targets by `alpha`.
 */
export interface RegressionTraining {
  head: OutputHead;
  teacher?: { mean: Float32Array; variance?: Float32Array; alpha: number };
}

/** A regression batch's targets and teacher rows, filled row by row as the training loop assembles it. */
export interface RegressionBatch {
  take(i: number, row: number): void;
  tensors(count: number): { targets: tf.Tensor1D; teacher?: RegressionTeacherBatch };
}

export function regressionBatch(r: RegressionTraining, data: Dataset, batchSize: number): RegressionBatch {
  const targets = data.targets;
  if (!targets) throw new ChorusError('regression training needs a dataset with targets');
  const t = new Float32Array(batchSize);
  const teacher = r.teacher;
  const mean = teacher ? new Float32Array(batchSize) : undefined;
  const variance = teacher?.variance ? new Float32Array(batchSize) : undefined;
  return {
    take(i, row) {
      t[i] = targets[row]!;
      if (teacher && mean) mean[i] = teacher.mean[row]!;
      if (teacher?.variance && variance) variance[i] = teacher.variance[row]!;
    },
    tensors(count) {
      return {
        targets: tf.tensor1d(t.subarray(0, count)),
        ...(teacher && mean
          ? {
              teacher: {
                mean: tf.tensor1d(mean.subarray(0, count)),
                ...(variance ? { variance: tf.tensor1d(variance.subarray(0, count)) } : {}),
                alpha: teacher.alpha,
              },
            }
          : {}),
      };
    },
  };
}

/** One optimizer step on the batch's first `count` rows; returns its loss. */
export function regressionStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  data: Dataset,
  head: OutputHead,
  batch: RegressionBatch,
  batchX: Float32Array,
  count: number,
  varList: tf.Variable[],
  adjust: Parameters<typeof applyGradientStep>[3],
): number {
  const size = featureSize(data);
  const lossTensor = tf.tidy(() => {
    const xs = tf.tensor(batchX.subarray(0, count * size), [count, ...data.sampleShape]);
    const { targets, teacher } = batch.tensors(count);
    return applyGradientStep(
      optimizer,
      () => regressionLoss(model.apply(xs, { training: true }) as tf.Tensor2D, targets, head, teacher),
      varList,
      adjust,
    );
  });
  return finiteLoss(lossTensor);
}
