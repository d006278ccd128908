/**
 * Turns a list of layer specs from a job file into a tfjs-layers model.
 *
 * What Chorus adds to the user's list:
 * - **The output layer.** Users list hidden layers only; Chorus appends `dense(classes)` with a *linear*
 *   activation, so every model outputs **logits**. Voting, temperature-scaled soft labels and the
 *   distillation loss all start from logits (softmax is applied where it is needed, once).
 * - **An automatic flatten** before any dense layer (including the output layer) whose input has rank > 1,
 *   so an MLP spec works unchanged on `[28, 28, 1]` images. Inserted layers are named `..._flatten`.
 *   Conversely, a `flatten` whose input is already flat is skipped (tfjs would refuse it).
 *
 * Shapes are checked while building; a spec that cannot work throws `ModelSpecError` naming the layer,
 * e.g. `layers[2] (conv2d): expects input of rank 3 [height, width, channels], got [784]`.
 *
 * Determinism: every random initializer gets an explicit seed derived from (seed, layer index), so the
 * same seed gives bit-identical initial weights and different seeds give different ones. Layer names are
 * derived from `name` and the layer index (not tfjs's global counters), so model.json is the same
 * whichever thread or process builds the model.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelSpecError } from '../errors.ts';
import type { Activation, LayerSpec } from '../spec/layers.ts';
import { deriveSeed } from '../data/random.ts';
import { seededDropout } from './seededDropout.ts';

export interface BuildModelOptions {
  /** Hidden layers, defaults filled (the output layer is appended by Chorus). */
  layers: readonly LayerSpec[];
  /** Shape of one example, without the batch dimension, e.g. `[28, 28, 1]` or `[784]`. */
  inputShape: readonly number[];
  /** Number of classes: the width of the appended logits layer. */
  classes: number;
  seed: number;
  /** Model name, also the prefix of every layer name. Default `model`. */
  name?: string;
}

/** Same rule tfjs applies to weight names, minus `/` (its scope separator). */
const VALID_NAME = /^[A-Za-z0-9][-A-Za-z0-9._]*$/;

export function buildModel(options: BuildModelOptions): tf.Sequential {
  const { layers, classes, seed } = options;
  const name = options.name ?? 'model';
  checkOptions(options.inputShape, classes, seed, name);

  const model = tf.sequential({ name });
  let shape = [...options.inputShape];
  let first = true;

  // Adds one tfjs layer, turning tfjs's own build errors into ModelSpecError with the layer's address.
  const add = (where: string, make: (inputShape: number[] | undefined) => tf.layers.Layer): void => {
    try {
      model.add(make(first ? shape : undefined));
    } catch (err) {
      throw new ModelSpecError(`${where}: ${errorMessage(err)}`, { cause: err });
    }
    first = false;
    shape = outputShape(model);
  };

  const flattenIfNeeded = (where: string, prefix: string): void => {
    if (shape.length > 1) {
      add(where, (inputShape) => tf.layers.flatten({ name: `${prefix}_flatten`, inputShape }));
    }
  };

  layers.forEach((spec, i) => {
    const where = `layers[${i}] (${spec.type})`;
    const prefix = `${name}_l${i}`;
    const layerName = `${prefix}_${spec.type}`;
    const layerSeed = deriveSeed(seed, i);
    switch (spec.type) {
      case 'dense':
        flattenIfNeeded(where, prefix);
        add(where, (inputShape) =>
          tf.layers.dense({
            name: layerName,
            inputShape,
            units: spec.units,
            activation: spec.activation,
            useBias: spec.useBias,
            kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed }),
            biasInitializer: 'zeros',
          }),
        );
        break;
      case 'conv2d':
        checkWindow(where, shape, spec.kernelSize, spec.strides, spec.padding, 'kernel');
        add(where, (inputShape) =>
          tf.layers.conv2d({
            name: layerName,
            inputShape,
            filters: spec.filters,
            kernelSize: spec.kernelSize,
            strides: spec.strides,
            padding: spec.padding,
            activation: spec.activation,
            useBias: spec.useBias,
            kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed }),
            biasInitializer: 'zeros',
          }),
        );
        break;
      case 'maxPooling2d': {
        // tfjs (like Keras) uses the pool size as the stride when none is given.
        const strides = spec.strides ?? spec.poolSize;
        checkWindow(where, shape, spec.poolSize, strides, spec.padding, 'pool');
        add(where, (inputShape) =>
          tf.layers.maxPooling2d({
            name: layerName,
            inputShape,
            poolSize: spec.poolSize,
            strides,
            padding: spec.padding,
          }),
        );
        break;
      }
      case 'flatten':
        // Flattening a flat input changes nothing (tfjs refuses it); skipping lets one spec serve both
        // image-shaped and pre-flattened datasets.
        if (shape.length > 1) add(where, (inputShape) => tf.layers.flatten({ name: layerName, inputShape }));
        break;
      case 'dropout':
        add(where, (inputShape) =>
          seededDropout({ name: layerName, inputShape, rate: spec.rate, seed: layerSeed }),
        );
        break;
      case 'batchNormalization':
        add(where, (inputShape) =>
          tf.layers.batchNormalization({
            name: layerName,
            inputShape,
            momentum: spec.momentum,
            epsilon: spec.epsilon,
          }),
        );
        break;
      case 'activation':
        add(where, (inputShape) =>
          tf.layers.activation({ name: layerName, inputShape, activation: spec.activation }),
        );
        break;
      case 'reshape': {
        const from = product(shape);
        const to = product(spec.targetShape);
        if (from !== to) {
          throw new ModelSpecError(
            `${where}: cannot reshape input ${fmt(shape)} (${from} values) to ${fmt(spec.targetShape)} (${to} values)`,
          );
        }
        add(where, (inputShape) =>
          tf.layers.reshape({ name: layerName, inputShape, targetShape: spec.targetShape }),
        );
        break;
      }
      default: {
        const unknown: never = spec;
        throw new ModelSpecError(
          `layers[${i}]: unknown layer type ${JSON.stringify((unknown as { type?: unknown }).type)}`,
        );
      }
    }
  });

  const where = `output layer (dense, ${classes} units)`;
  flattenIfNeeded(where, `${name}_logits`);
  add(where, (inputShape) =>
    tf.layers.dense({
      name: `${name}_logits`,
      inputShape,
      units: classes,
      activation: 'linear' satisfies Activation,
      kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, layers.length) }),
      biasInitializer: 'zeros',
    }),
  );
  return model;
}

function checkOptions(inputShape: readonly number[], classes: number, seed: number, name: string): void {
  if (inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ModelSpecError(
      `inputShape: expected a non-empty list of positive integers, got ${fmt(inputShape)}`,
    );
  }
  if (!Number.isInteger(classes) || classes < 2) {
    throw new ModelSpecError(`classes: expected an integer >= 2, got ${classes}`);
  }
  if (!Number.isSafeInteger(seed)) {
    throw new ModelSpecError(`seed: expected an integer, got ${seed}`);
  }
  if (!VALID_NAME.test(name)) {
    throw new ModelSpecError(
      `name: ${JSON.stringify(name)} must start with a letter or digit and contain only letters, digits, '.', '_' and '-'`,
    );
  }
}

/** Checks a conv/pool window against a rank-3 [height, width, channels] input. */
function checkWindow(
  where: string,
  shape: readonly number[],
  size: number | readonly [number, number],
  strides: number | readonly [number, number],
  padding: 'valid' | 'same',
  what: string,
): void {
  if (shape.length !== 3) {
    throw new ModelSpecError(
      `${where}: expects input of rank 3 [height, width, channels], got ${fmt(shape)}`,
    );
  }
  const [kh, kw] = pair(size);
  const [sh, sw] = pair(strides);
  const [h, w] = shape as [number, number, number];
  if (padding === 'valid' && (kh > h || kw > w)) {
    throw new ModelSpecError(
      `${where}: ${what} ${kh}x${kw} is larger than its input ${h}x${w} (padding 'valid'); use a smaller ${what}, fewer pooling layers or padding 'same'`,
    );
  }
  if (sh < 1 || sw < 1) throw new ModelSpecError(`${where}: strides must be positive, got ${sh}x${sw}`);
}

function pair(x: number | readonly [number, number]): [number, number] {
  return typeof x === 'number' ? [x, x] : [x[0], x[1]];
}

function outputShape(model: tf.Sequential): number[] {
  const out = model.outputs[0];
  if (!out) throw new ModelSpecError('model has no output after adding a layer');
  return out.shape.slice(1).map((d) => d ?? -1);
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
