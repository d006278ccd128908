import * as tf from '@tensorflow/tfjs';
import { ChorusError } from '../errors.ts';

export interface StepAdjustments {
  /** Learning rate of this step (for the decay's factor). */
  learningRate: number;
  /** Decoupled weight decay; 0 = none. */
  weightDecay: number;
  /** Global gradient-norm limit; undefined = none. */
  clipNorm?: number;
}

/**
 * One optimizer step with the recipe's adjustments, in PyTorch's AdamW / SGDW order: gradients are
 * computed at the current weights, clipped to a global L2 norm of at most `clipNorm`, then every kernel
 * (rank >= 2: not biases or normalisation parameters) is multiplied by 1 − learningRate · weightDecay,
 * and the optimizer applies the gradients (Chorus' fused Adam kernel included). Without adjustments it is
 * exactly `optimizer.minimize`. Returns the loss (the caller disposes it).
 */
export function applyGradientStep(
  optimizer: tf.Optimizer,
  loss: () => tf.Scalar,
  varList: tf.Variable[],
  adjust: StepAdjustments,
): tf.Scalar {
  if (adjust.weightDecay === 0 && adjust.clipNorm === undefined) {
    const value = optimizer.minimize(loss, true, varList);
    if (!value) throw new ChorusError('optimizer returned no loss');
    return value;
  }
  const { value, grads } = optimizer.computeGradients(loss, varList);
  let named = varList.map((v) => ({ name: v.name, tensor: grads[v.name]! }));
  if (adjust.clipNorm !== undefined) {
    const clipped = clipByGlobalNorm(
      named.map((g) => g.tensor),
      adjust.clipNorm,
    );
    tf.dispose(grads);
    named = named.map((g, i) => ({ name: g.name, tensor: clipped[i]! }));
  }
  if (adjust.weightDecay > 0) decayKernels(varList, adjust.learningRate * adjust.weightDecay);
  optimizer.applyGradients(named);
  tf.dispose(named.map((g) => g.tensor));
  return value;
}

/** The gradients scaled by min(1, clipNorm / ‖g‖₂), the norm taken over all of them together. */
export function clipByGlobalNorm(gradients: tf.Tensor[], clipNorm: number): tf.Tensor[] {
  return tf.tidy(() => {
    const squares = gradients.map((g) => tf.sum(tf.square(g)));
    const norm = tf.sqrt(tf.addN(squares));
    const scale = tf.div(clipNorm, tf.maximum(norm, clipNorm));
    return gradients.map((g) => tf.mul(g, scale));
  });
}

/** w ← w · (1 − rate) for every kernel (variables of rank >= 2). */
export function decayKernels(varList: tf.Variable[], rate: number): void {
  const keep = 1 - rate;
  for (const v of varList) {
    if (v.rank < 2) continue;
    tf.tidy(() => v.assign(tf.mul(v, keep)));
  }
}
