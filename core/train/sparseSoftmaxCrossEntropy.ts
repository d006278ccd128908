import * as tf from '@tensorflow/tfjs';
import { SPARSE_SOFTMAX_CROSS_ENTROPY } from '../backend/softmaxCrossEntropyKernel.ts';
import { ChorusError } from '../errors.ts';

/**
 * Mean softmax cross-entropy of `logits` [n, classes] against class indices `labels` [n] (int32): the
 * value and gradient of `tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits)`. Where the
 * backend registers Chorus' fused kernel (wasm) it is one kernel forward and one multiply backward;
 * elsewhere it is exactly that tfjs expression.
 */
export function sparseSoftmaxCrossEntropy(
  labels: tf.Tensor1D,
  logits: tf.Tensor2D,
  classes: number,
): tf.Scalar {
  if (tf.getKernel(SPARSE_SOFTMAX_CROSS_ENTROPY, tf.getBackend()) === undefined) {
    return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits) as tf.Scalar;
  }
  if (logits.shape[1] !== classes) {
    // The error tfjs gives for one-hot labels of the wrong width.
    throw new ChorusError(
      `Error in softmaxCrossEntropy: Shapes ${labels.shape[0]},${classes} and ${logits.shape} must match`,
    );
  }
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const [loss, grad] = tf.engine().runKernel(SPARSE_SOFTMAX_CROSS_ENTROPY, { logits: x, labels }) as [
      tf.Scalar,
      tf.Tensor2D,
    ];
    save([grad]);
    return {
      value: loss,
      gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => tf.mul(dy, saved[0] as tf.Tensor),
    };
  });
  return op(logits) as tf.Scalar;
}
