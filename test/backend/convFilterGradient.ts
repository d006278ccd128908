import * as tf from '@tensorflow/tfjs';
import { randomValues } from './compareBackends.ts';

/** The filter gradient of a fixed conv2d loss on the current backend, as plain numbers. */
export function convFilterGradient(): number[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(randomValues(2 * 8 * 8 * 3, 5), [2, 8, 8, 3]);
    const w = tf.tensor4d(randomValues(3 * 3 * 3 * 4, 6), [3, 3, 3, 4]);
    const grad = tf.grad((f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, 2, 'same'))))(w);
    return Array.from(grad.dataSync());
  });
}
