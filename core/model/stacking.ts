/**
 * The learned "stacking" combiner of the reference article: the members' probability vectors are
 * concatenated and a single Dense(classes) layer maps them to the ensemble's output.
 *
 * Two differences from the article's code, on purpose:
 * - **One pre-concatenated input** `[members * classes]` instead of M inputs + `concatenate`. Dense over a
 *   concatenation is the same function (its kernel is just the M per-member blocks stacked), the
 *   aggregator already builds that matrix (`core/ensemble/stackingFeatures.ts`), and a one-input
 *   Sequential model is simpler to feed, save and load. Feature layout per row: member 0's C
 *   probabilities, then member 1's, ... (what `concatenate` would produce).
 * - **Only the combiner trains**, on members' outputs for the held-out validation split; the article
 *   trains members and combiner end to end on the training set, where members' over-confident
 *   training-set outputs teach the combiner to trust the wrong member.
 *
 * The combiner outputs **logits** (like every Chorus model) and trains with sparse softmax
 * cross-entropy on them; shuffling and initial weights are seeded, so the same inputs give the same model.
 */
import * as tf from '@tensorflow/tfjs';
import { permutation, deriveSeed } from '../data/random.ts';
import { ModelSpecError, NonRetryableError } from '../errors.ts';
import { makeOptimizer, type OptimizerName } from './optimizer.ts';

export interface StackingCombinerOptions {
  /** Number of ensemble members M. */
  members: number;
  /** Number of classes C. */
  classes: number;
  seed: number;
  /** Model name, also the prefix of its layer names. Default `stacking`. */
  name?: string;
}

export interface TrainStackingOptions extends StackingCombinerOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Default `adam`. */
  optimizer?: OptimizerName;
}

export interface TrainedStackingCombiner {
  model: tf.Sequential;
  /** Mean training loss (cross-entropy, nats) of each epoch. */
  history: number[];
}

/** A model from `[members * classes]` concatenated probabilities to `[classes]` logits. */
export function buildStackingCombiner(options: StackingCombinerOptions): tf.Sequential {
  const { members, classes, seed } = options;
  checkCombinerOptions(options);
  const name = options.name ?? 'stacking';
  return tf.sequential({
    name,
    layers: [
      tf.layers.dense({
        name: `${name}_logits`,
        inputShape: [members * classes],
        units: classes,
        activation: 'linear',
        kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, 0) }),
        biasInitializer: 'zeros',
      }),
    ],
  });
}

/**
 * Trains a fresh combiner on `features` (row-major `[n, members * classes]`, as `stackingFeatures` in core/ensemble lays them out) and
 * integer `labels` (`[n]`, each in `[0, classes)`).
 */
export async function trainStackingCombiner(
  features: Float32Array,
  labels: Int32Array,
  options: TrainStackingOptions,
): Promise<TrainedStackingCombiner> {
  const { members, classes, seed, epochs, batchSize } = options;
  checkCombinerOptions(options);
  const width = members * classes;
  const n = labels.length;
  checkPositiveInt('epochs', epochs, 1);
  checkPositiveInt('batchSize', batchSize, 1);
  if (n === 0) throw new NonRetryableError('stacking: no training examples');
  if (features.length !== n * width) {
    throw new NonRetryableError(
      `stacking: features hold ${features.length} values, expected ${n} examples x ${members} members x ${classes} classes = ${n * width}`,
    );
  }
  for (let i = 0; i < n; i++) {
    const y = labels[i] as number;
    if (!(y >= 0 && y < classes)) {
      throw new NonRetryableError(`stacking: labels[${i}] = ${y} is outside [0, ${classes})`);
    }
  }

  const optimizer = makeOptimizer({ name: options.optimizer ?? 'adam', learningRate: options.learningRate });
  const model = buildStackingCombiner(options);
  const x = tf.tensor2d(features, [n, width]);
  const y = tf.tensor1d(labels, 'int32');
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const history: number[] = [];
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      // Salt 1 keeps the shuffle stream apart from the initializer seed (salt 0).
      const order = permutation(n, deriveSeed(seed, 1, epoch));
      let total = 0;
      for (let start = 0; start < n; start += batchSize) {
        const batch = order.subarray(start, Math.min(start + batchSize, n));
        const loss = tf.tidy(() => {
          const index = tf.tensor1d(batch, 'int32');
          const xb = tf.gather(x, index);
          const yb = tf.oneHot(tf.gather(y, index), classes);
          const batchLoss = optimizer.minimize(
            () =>
              tf.losses.softmaxCrossEntropy(
                yb,
                model.apply(xb, { training: true }) as tf.Tensor,
              ) as tf.Scalar,
            true,
            variables,
          );
          if (!batchLoss) throw new Error('stacking: optimizer returned no loss');
          return batchLoss;
        });
        const [value = Number.NaN] = await loss.data();
        loss.dispose();
        total += value * batch.length;
      }
      history.push(total / n);
      // Let heartbeats and cancellation messages through between epochs.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    x.dispose();
    y.dispose();
    optimizer.dispose();
  }
  return { model, history };
}

function checkCombinerOptions({ members, classes, seed }: StackingCombinerOptions): void {
  checkPositiveInt('members', members, 1);
  checkPositiveInt('classes', classes, 2);
  if (!Number.isSafeInteger(seed)) throw new ModelSpecError(`seed: expected an integer, got ${seed}`);
}

function checkPositiveInt(field: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new ModelSpecError(`${field}: expected an integer >= ${min}, got ${value}`);
  }
}
