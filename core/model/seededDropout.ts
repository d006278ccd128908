/**
 * A stock tfjs `Dropout` layer whose masks are reproducible *and* different at every training step.
 *
 * Why not `tf.layers.dropout({ seed })`: tfjs re-seeds its generator from that fixed seed on every call,
 * so the layer drops the *same* units at every step — a fixed pruning, not dropout. Unseeded, it draws
 * from `Math.random` and training is not reproducible. Here the layer is a plain `Dropout` (so it saves
 * and loads with stock tfjs, without a seed in its config), and only this instance's `call` is replaced
 * to seed each training-time mask from (seed, step). Inference calls pass the input through unchanged and
 * do not advance the step, so evaluating between epochs does not shift later masks.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../data/random.ts';

export interface SeededDropoutOptions {
  rate: number;
  seed: number;
  name?: string;
  inputShape?: number[];
}

export function seededDropout(options: SeededDropoutOptions): tf.layers.Layer {
  const layer = tf.layers.dropout({ rate: options.rate, name: options.name, inputShape: options.inputShape });
  seedDropoutMasks(layer, options.rate, options.seed);
  return layer;
}

/**
 * Replaces one Dropout layer instance's `call` so that its training-time masks come from (seed, step), as
 * `seededDropout` makes them; used too for the Dropout layers of a model loaded from a file.
 */
export function seedDropoutMasks(layer: tf.layers.Layer, rate: number, seed: number): void {
  let step = 0;
  layer.call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor => {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!x) throw new TypeError(`${layer.name}: called without an input tensor`);
    if (kwargs['training'] !== true || rate <= 0) return x;
    const maskSeed = deriveSeed(seed, step);
    step += 1;
    // tidy: tf.dropout builds its mask from intermediates that would otherwise leak every step.
    return tf.tidy(() => tf.dropout(x, rate, undefined, maskSeed));
  };
}
