/**
 * Optimizers by name, as a job file names them. Created fresh per model: tfjs optimizers hold state
 * (moments, accumulators) tied to the variables they first updated.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelSpecError } from '../errors.ts';
import { FusedAdamOptimizer } from './fusedAdam.ts';

export type OptimizerName = 'adam' | 'sgd' | 'rmsprop' | 'momentum';

export interface OptimizerOptions {
  name: OptimizerName;
  learningRate: number;
  /** Only for `momentum`; default 0.9 (the usual choice, and Keras's SGD-with-momentum example). */
  momentum?: number;
}

export function makeOptimizer(options: OptimizerOptions): tf.Optimizer {
  const { name, learningRate } = options;
  if (!Number.isFinite(learningRate) || learningRate <= 0) {
    throw new ModelSpecError(`learningRate: expected a positive number, got ${learningRate}`);
  }
  switch (name) {
    case 'adam':
      // tf.train.adam's defaults (beta1 0.9, beta2 0.999, the backend's epsilon), with a fused update
      // kernel where the backend has one.
      return new FusedAdamOptimizer(learningRate, 0.9, 0.999);
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
    case 'momentum': {
      const momentum = options.momentum ?? 0.9;
      if (!(momentum >= 0 && momentum < 1)) {
        throw new ModelSpecError(`momentum: expected a number in [0, 1), got ${momentum}`);
      }
      return tf.train.momentum(learningRate, momentum);
    }
    default: {
      const unknown: never = name;
      throw new ModelSpecError(
        `optimizer: unknown name ${JSON.stringify(unknown)} (expected adam, sgd, rmsprop or momentum)`,
      );
    }
  }
}
