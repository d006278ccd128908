import type * as tf from '@tensorflow/tfjs';

/**
 * Sets a tfjs optimizer's learning rate between steps. Adam, RMSProp (and Chorus' fused Adam) read their
 * `learningRate` field on every step; SGD and momentum cache −learningRate as a tensor, which
 * `setLearningRate` rebuilds. Unchanged rates are left alone.
 */
export function setOptimizerLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const o = optimizer as tf.Optimizer & { learningRate: number; setLearningRate?: (rate: number) => void };
  if (o.learningRate === learningRate) return;
  // Not `instanceof tf.SGDOptimizer`: tfjs' Optimizer[Symbol.hasInstance] says yes to every optimizer.
  if (typeof o.setLearningRate === 'function') o.setLearningRate(learningRate);
  else o.learningRate = learningRate;
}
