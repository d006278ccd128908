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
 * A list without a `residual` block becomes a `tf.Sequential`; a residual block needs a functional model
 * (`tf.model`), whose input is fed to the block and, by a `tf.layers.add`, to the block's output (through a
 * 1×1 convolution or a dense projection when the shapes differ). Both kinds are built by the same per-layer
 * code, so a list without residual blocks gives exactly the Sequential model it always gave.
 *
 * Determinism: every random initializer gets an explicit seed derived from (seed, layer index), so the
 * same seed gives bit-identical initial weights and different seeds give different ones. Layer names are
 * derived from `name` and the layer index (not tfjs's global counters), so model.json is the same
 * whichever thread or process builds the model.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelSpecError } from '../errors.ts';
import type { Activation, LayerSpec, PlainLayerSpec } from '../spec/layers.ts';
import { projectionStrides } from '../spec/modelShapeProblems.ts';
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

/** Seed salt of a residual block's projection (inner layers use their index, far below it). */
const PROJECTION_SALT = 0x7fff;

export function buildModel(options: BuildModelOptions): tf.LayersModel {
  const { layers, classes, seed } = options;
  const name = options.name ?? 'model';
  checkOptions(options.inputShape, classes, seed, name);

  const functional = layers.some((spec) => spec.type === 'residual');
  const chain: LayerChain = functional
    ? new FunctionalChain(options.inputShape, name)
    : new SequentialChain(options.inputShape, name);

  layers.forEach((spec, i) => {
    const prefix = `${name}_l${i}`;
    if (spec.type === 'residual') {
      addResidual(chain as FunctionalChain, spec.layers, i, prefix, seed);
      return;
    }
    addLayer(chain, spec, `layers[${i}] (${spec.type})`, prefix, deriveSeed(seed, i));
  });

  const where = `output layer (dense, ${classes} units)`;
  flattenIfNeeded(chain, where, `${name}_logits`);
  chain.add(where, (inputShape) =>
    tf.layers.dense({
      name: `${name}_logits`,
      inputShape,
      units: classes,
      activation: 'linear' satisfies Activation,
      kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, layers.length) }),
      biasInitializer: 'zeros',
    }),
  );
  return chain.model();
}

/**
 * Where layers go, one after the other: a Sequential model, or a chain of symbolic tensors for a
 * functional one. `shape` is the current output's shape (no batch dimension).
 */
interface LayerChain {
  readonly shape: number[];
  /** Adds one tfjs layer, turning tfjs's own build errors into ModelSpecError with the layer's address. */
  add(where: string, make: (inputShape: number[] | undefined) => tf.layers.Layer): void;
  model(): tf.LayersModel;
}

class SequentialChain implements LayerChain {
  shape: number[];
  private readonly sequential: tf.Sequential;
  private first = true;

  constructor(inputShape: readonly number[], name: string) {
    this.shape = [...inputShape];
    this.sequential = tf.sequential({ name });
  }

  add(where: string, make: (inputShape: number[] | undefined) => tf.layers.Layer): void {
    try {
      this.sequential.add(make(this.first ? this.shape : undefined));
    } catch (err) {
      throw new ModelSpecError(`${where}: ${errorMessage(err)}`, { cause: err });
    }
    this.first = false;
    const out = this.sequential.outputs[0];
    if (!out) throw new ModelSpecError('model has no output after adding a layer');
    this.shape = shapeOf(out);
  }

  model(): tf.LayersModel {
    return this.sequential;
  }
}

class FunctionalChain implements LayerChain {
  readonly input: tf.SymbolicTensor;
  output: tf.SymbolicTensor;

  constructor(
    inputShape: readonly number[],
    private readonly name: string,
  ) {
    this.input = tf.input({ shape: [...inputShape], name: `${name}_input` });
    this.output = this.input;
  }

  get shape(): number[] {
    return shapeOf(this.output);
  }

  add(where: string, make: (inputShape: number[] | undefined) => tf.layers.Layer): void {
    this.output = applyLayer(where, make(undefined), this.output);
  }

  model(): tf.LayersModel {
    return tf.model({ name: this.name, inputs: this.input, outputs: this.output });
  }
}

function applyLayer(
  where: string,
  layer: tf.layers.Layer,
  input: tf.SymbolicTensor | tf.SymbolicTensor[],
): tf.SymbolicTensor {
  try {
    return layer.apply(input) as tf.SymbolicTensor;
  } catch (err) {
    throw new ModelSpecError(`${where}: ${errorMessage(err)}`, { cause: err });
  }
}

/**
 * A residual block: its layers from the current output, then `add` of that and the block's input, the
 * input projected first when the shapes differ (1×1 convolution with the stride that shrinks it to the
 * output's height and width, or a dense layer for flat values; linear, seeded like any layer).
 */
function addResidual(
  chain: FunctionalChain,
  layers: readonly PlainLayerSpec[],
  i: number,
  prefix: string,
  seed: number,
): void {
  const input = chain.output;
  const inputShape = chain.shape;
  layers.forEach((spec, j) => {
    addLayer(
      chain,
      spec,
      `layers[${i}].layers[${j}] (${spec.type})`,
      `${prefix}_r${j}`,
      deriveSeed(seed, i, j),
    );
  });
  const outputShape = chain.shape;
  const where = `layers[${i}] (residual)`;
  let shortcut = input;
  if (fmt(inputShape) !== fmt(outputShape)) {
    const kernelInitializer = tf.initializers.glorotUniform({ seed: deriveSeed(seed, i, PROJECTION_SALT) });
    const strides = projectionStrides(inputShape, outputShape);
    let projection: tf.layers.Layer;
    if (inputShape.length === 1 && outputShape.length === 1) {
      projection = tf.layers.dense({
        name: `${prefix}_projection`,
        units: outputShape[0] as number,
        kernelInitializer,
        biasInitializer: 'zeros',
      });
    } else if (inputShape.length === 3 && outputShape.length === 3 && strides) {
      projection = tf.layers.conv2d({
        name: `${prefix}_projection`,
        filters: outputShape[2] as number,
        kernelSize: 1,
        strides,
        padding: 'same',
        kernelInitializer,
        biasInitializer: 'zeros',
      });
    } else {
      throw new ModelSpecError(
        `${where}: cannot add the block's input ${fmt(inputShape)} to its output ${fmt(outputShape)}: ` +
          "a projection maps flat values to flat values, or images to images whose height and width shrink by a whole stride (use padding 'same')",
      );
    }
    shortcut = applyLayer(where, projection, input);
  }
  chain.output = applyLayer(where, tf.layers.add({ name: `${prefix}_add` }), [shortcut, chain.output]);
}

function flattenIfNeeded(chain: LayerChain, where: string, prefix: string): void {
  if (chain.shape.length > 1) {
    chain.add(where, (inputShape) => tf.layers.flatten({ name: `${prefix}_flatten`, inputShape }));
  }
}

/** One job-file layer (after an automatic flatten where it needs one), checked against the chain's shape. */
function addLayer(
  chain: LayerChain,
  spec: PlainLayerSpec,
  where: string,
  prefix: string,
  layerSeed: number,
): void {
  const layerName = `${prefix}_${spec.type}`;
  const shape = chain.shape;
  const glorot = (salt?: number) =>
    tf.initializers.glorotUniform({ seed: salt === undefined ? layerSeed : deriveSeed(layerSeed, salt) });
  switch (spec.type) {
    case 'dense':
      flattenIfNeeded(chain, where, prefix);
      chain.add(where, (inputShape) =>
        tf.layers.dense({
          name: layerName,
          inputShape,
          units: spec.units,
          activation: spec.activation,
          useBias: spec.useBias,
          kernelInitializer: glorot(),
          biasInitializer: 'zeros',
        }),
      );
      break;
    case 'conv2d':
      checkWindow(where, shape, spec.kernelSize, spec.strides, spec.padding, 'kernel');
      chain.add(where, (inputShape) =>
        tf.layers.conv2d({
          name: layerName,
          inputShape,
          filters: spec.filters,
          kernelSize: spec.kernelSize,
          strides: spec.strides,
          padding: spec.padding,
          activation: spec.activation,
          useBias: spec.useBias,
          kernelInitializer: glorot(),
          biasInitializer: 'zeros',
        }),
      );
      break;
    case 'depthwiseConv2d':
    case 'separableConv2d': {
      checkWindow(where, shape, spec.kernelSize, spec.strides, spec.padding, 'kernel');
      const depthwise = {
        name: layerName,
        kernelSize: spec.kernelSize,
        strides: spec.strides,
        padding: spec.padding,
        depthMultiplier: spec.depthMultiplier,
        activation: spec.activation,
        useBias: spec.useBias,
        depthwiseInitializer: glorot(),
        biasInitializer: 'zeros',
      } as const;
      chain.add(where, (inputShape) =>
        spec.type === 'depthwiseConv2d'
          ? tf.layers.depthwiseConv2d({ ...depthwise, inputShape })
          : tf.layers.separableConv2d({
              ...depthwise,
              inputShape,
              filters: spec.filters,
              pointwiseInitializer: glorot(1),
            }),
      );
      break;
    }
    case 'maxPooling2d':
    case 'averagePooling2d': {
      // tfjs (like Keras) uses the pool size as the stride when none is given.
      const strides = spec.strides ?? spec.poolSize;
      checkWindow(where, shape, spec.poolSize, strides, spec.padding, 'pool');
      const make = spec.type === 'maxPooling2d' ? tf.layers.maxPooling2d : tf.layers.averagePooling2d;
      chain.add(where, (inputShape) =>
        make({ name: layerName, inputShape, poolSize: spec.poolSize, strides, padding: spec.padding }),
      );
      break;
    }
    case 'globalAveragePooling2d':
      if (shape.length !== 3) {
        throw new ModelSpecError(
          `${where}: expects input of rank 3 [height, width, channels], got ${fmt(shape)}`,
        );
      }
      chain.add(where, (inputShape) => tf.layers.globalAveragePooling2d({ name: layerName, inputShape }));
      break;
    case 'flatten':
      // Flattening a flat input changes nothing (tfjs refuses it); skipping lets one spec serve both
      // image-shaped and pre-flattened datasets.
      if (shape.length > 1) {
        chain.add(where, (inputShape) => tf.layers.flatten({ name: layerName, inputShape }));
      }
      break;
    case 'dropout':
      chain.add(where, (inputShape) =>
        seededDropout({ name: layerName, inputShape, rate: spec.rate, seed: layerSeed }),
      );
      break;
    case 'batchNormalization':
      chain.add(where, (inputShape) =>
        tf.layers.batchNormalization({
          name: layerName,
          inputShape,
          momentum: spec.momentum,
          epsilon: spec.epsilon,
        }),
      );
      break;
    case 'activation':
      chain.add(where, (inputShape) =>
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
      chain.add(where, (inputShape) =>
        tf.layers.reshape({ name: layerName, inputShape, targetShape: spec.targetShape }),
      );
      break;
    }
    default: {
      const unknown: never = spec;
      throw new ModelSpecError(
        `${where.replace(/ \(.*\)$/, '')}: unknown layer type ${JSON.stringify((unknown as { type?: unknown }).type)}`,
      );
    }
  }
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

function shapeOf(tensor: tf.SymbolicTensor): number[] {
  return tensor.shape.slice(1).map((d) => d ?? -1);
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
