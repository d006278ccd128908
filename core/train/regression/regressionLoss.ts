import * as tf from '@tensorflow/tfjs';
import { MIN_VARIANCE } from '../../ensemble/regression/gaussianHead.ts';
import type { OutputHead } from '../../spec/jobTask.ts';

/** A regression teacher's predictive distribution for the rows of a batch, and the weight of its term. */
export interface RegressionTeacherBatch {
  mean: tf.Tensor1D;
  /** Absent when the teacher has no variance (its members have linear outputs). */
  variance?: tf.Tensor1D;
  /** Weight of the teacher's term, in [0, 1]; the true targets weigh 1 − alpha. */
  alpha: number;
}

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The loss of a regression model's outputs on standardised targets, averaged over the batch.
 * Linear output μ: the squared error (1 − α)(y − μ)² + α(m − μ)² (the MSE without a teacher).
 * Gaussian head (μ, σ²): the Gaussian negative log-likelihood ½ log(2πσ²) + (y − μ)² / 2σ², and with a
 * teacher N(m, v) the cross-entropy of the teacher's Gaussian mixed in by α:
 * ½ log(2πσ²) + [(1 − α)(y − μ)² + α((m − μ)² + v)] / 2σ², so a distilled student learns the teacher's
 * mean and variance (the expected NLL of y ~ N(m, v) under the student; KL plus a constant).
 */
export function regressionLoss(
  outputs: tf.Tensor2D,
  targets: tf.Tensor1D,
  head: OutputHead,
  teacher?: RegressionTeacherBatch,
): tf.Scalar {
  return tf.tidy(() => {
    const [mean, raw] = head === 'gaussian' ? tf.split(outputs, 2, 1) : [outputs, undefined];
    const mu = tf.reshape(mean!, [-1]);
    const alpha = teacher?.alpha ?? 0;
    let squared: tf.Tensor = tf.square(tf.sub(targets, mu));
    if (teacher && alpha > 0) {
      let fromTeacher: tf.Tensor = tf.square(tf.sub(teacher.mean, mu));
      if (teacher.variance && head === 'gaussian') fromTeacher = tf.add(fromTeacher, teacher.variance);
      squared = tf.add(tf.mul(squared, 1 - alpha), tf.mul(fromTeacher, alpha));
    }
    if (!raw) return tf.mean(squared) as tf.Scalar;
    const variance = tf.add(tf.softplus(tf.reshape(raw, [-1])), MIN_VARIANCE);
    const nll = tf.add(tf.mul(tf.log(variance), 0.5), tf.div(squared, tf.mul(variance, 2)));
    return tf.add(tf.mean(nll), HALF_LOG_TWO_PI) as tf.Scalar;
  });
}
