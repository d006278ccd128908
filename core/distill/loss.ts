/**
 * The distillation loss of Hinton et al. (2015), with `alpha` the weight of the SOFT term:
 *
 *   loss = alpha · T² · KL(p_teacher ‖ softmax(s / T)) + (1 − alpha) · CE(y, softmax(s))
 *
 * averaged over the batch. KL(p‖q) = Σ p (log p − log q) with 0 · log 0 = 0. The T² keeps the soft term's
 * gradient, T · (softmax(s/T) − p), about as large at every temperature, so alpha means the same at any T.
 * Log-probabilities come from logSoftmax (no log of a rounded-to-zero softmax).
 */
import * as tf from '@tensorflow/tfjs';
import { NonRetryableError } from '../errors.ts';

/** Class indices (int32, [n]) or one-hot / soft label rows ([n, classes]). */
export type DistillLabels = tf.Tensor1D | tf.Tensor2D;

function checkStudent(studentLogits: tf.Tensor): void {
  if (studentLogits.rank !== 2) {
    throw new NonRetryableError(
      `studentLogits must be [n, classes], got shape [${studentLogits.shape.join(', ')}]`,
    );
  }
}

function checkTemperature(temperature: number): void {
  if (!Number.isFinite(temperature) || temperature <= 0) {
    throw new NonRetryableError(`temperature must be a finite number > 0, got ${temperature}`);
  }
}

function checkAlpha(alpha: number): void {
  if (!(alpha >= 0 && alpha <= 1)) {
    throw new NonRetryableError(`alpha (the soft term's weight) must be in [0, 1], got ${alpha}`);
  }
}

function checkSameShape(a: tf.Tensor, b: tf.Tensor, what: string): void {
  if (a.rank !== b.rank || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new NonRetryableError(
      `${what} has shape [${a.shape.join(', ')}] but studentLogits has [${b.shape.join(', ')}]`,
    );
  }
}

function checkLabels(labels: DistillLabels, studentLogits: tf.Tensor2D): void {
  if (labels.rank === 1) {
    if (labels.dtype !== 'int32') {
      throw new NonRetryableError(`class-index labels must be int32, got ${labels.dtype}`);
    }
    if (labels.shape[0] !== studentLogits.shape[0]) {
      throw new NonRetryableError(`${labels.shape[0]} labels for ${studentLogits.shape[0]} student rows`);
    }
  } else if (labels.rank === 2) {
    checkSameShape(labels, studentLogits, 'one-hot labels');
  } else {
    throw new NonRetryableError(
      `labels must be [n] class indices or [n, classes] rows, got rank ${labels.rank}`,
    );
  }
}

/**
 * CE(y, softmax(s)) = −(1/n) Σ_i Σ_j y_ij log softmax(s_i)_j. Index labels are expected in [0, classes)
 * (checked where the dataset is loaded: checking here would force a device sync every step).
 */
export function distillationHardTerm(labels: DistillLabels, studentLogits: tf.Tensor2D): tf.Scalar {
  checkStudent(studentLogits);
  checkLabels(labels, studentLogits);
  return tf.tidy(() => {
    const classes = studentLogits.shape[1];
    // On wasm this needs Chorus' OneHot (core/backend/wasm/oneHot.ts): the stock kernel returns int32 bits.
    const y = labels.rank === 1 ? tf.oneHot(labels, classes, 1, 0, 'float32') : tf.cast(labels, 'float32');
    const logQ = tf.logSoftmax(studentLogits);
    return tf.neg(tf.mean(tf.sum(tf.mul(y, logQ), 1))) as tf.Scalar;
  });
}

/**
 * T² · (1/n) Σ_i KL(p_i ‖ softmax(s_i / T)), where `teacherSoftTargets` are probabilities already at
 * temperature T. Zero targets contribute exactly 0 (log is taken of 1 in their place), with finite gradients.
 */
export function distillationSoftTerm(
  studentLogits: tf.Tensor2D,
  teacherSoftTargets: tf.Tensor2D,
  temperature: number,
): tf.Scalar {
  checkStudent(studentLogits);
  checkSameShape(teacherSoftTargets, studentLogits, 'teacherSoftTargets');
  checkTemperature(temperature);
  return tf.tidy(() => {
    const p = tf.cast(teacherSoftTargets, 'float32');
    const logP = tf.log(tf.where(tf.greater(p, 0), p, tf.onesLike(p)));
    const logQ = tf.logSoftmax(tf.div(studentLogits, temperature));
    const kl = tf.sum(tf.mul(p, tf.sub(logP, logQ)), 1);
    return tf.mul(tf.mean(kl), temperature * temperature);
  });
}

/** alpha · softTerm + (1 − alpha) · hardTerm; a term with weight 0 is not computed. */
export function distillationLoss(
  labels: DistillLabels,
  studentLogits: tf.Tensor2D,
  teacherSoftTargets: tf.Tensor2D,
  temperature: number,
  alpha: number,
): tf.Scalar {
  checkStudent(studentLogits);
  checkLabels(labels, studentLogits);
  checkSameShape(teacherSoftTargets, studentLogits, 'teacherSoftTargets');
  checkTemperature(temperature);
  checkAlpha(alpha);
  return tf.tidy(() => {
    if (alpha === 0) return distillationHardTerm(labels, studentLogits);
    if (alpha === 1) return distillationSoftTerm(studentLogits, teacherSoftTargets, temperature);
    const soft = distillationSoftTerm(studentLogits, teacherSoftTargets, temperature);
    const hard = distillationHardTerm(labels, studentLogits);
    return tf.add(tf.mul(soft, alpha), tf.mul(hard, 1 - alpha));
  });
}
