import type { LayerSpec, PlainLayerSpec } from './layers.ts';
import { SPEC_LIMITS } from './specLimits.ts';

/**
 * A problem with one layer (`layer` is its index; `inner` the index inside that residual block) or with
 * the whole model (`layer` undefined).
 */
export interface ModelShapeProblem {
  layer?: number;
  inner?: number;
  message: string;
}

/** Where a problem is, below `path` (e.g. `members[0].layers`): `…layers[2]`, `…layers[2].layers[0]`. */
export function problemPath(path: string, problem: ModelShapeProblem): string {
  if (problem.layer === undefined) return path;
  return `${path}[${problem.layer}]${problem.inner === undefined ? '' : `.layers[${problem.inner}]`}`;
}

/**
 * Follows sample shapes through a layer list the way `buildModel` will (automatic flatten before
 * dense layers, the appended logits layer), without tfjs, so that a model that cannot be built is
 * refused with the job file instead of failing as a training task. `inputShape` undefined means the
 * data's shape is not known before loading (file sources): only what follows from the layers alone is
 * checked then. Returns the first shape problem, and a size problem when the weights or the values a
 * sample produces at some layer are over the limits. `buildModel` stays the authority when it runs.
 */
export function modelShapeProblems(
  layers: readonly LayerSpec[],
  inputShape: readonly number[] | undefined,
  classes: number,
): ModelShapeProblem[] {
  return inferModel(layers, inputShape, classes).problems;
}

/** What `modelShapeProblems` finds, and the model's weight count (a lower bound when the input is unknown). */
export function inferModel(
  layers: readonly LayerSpec[],
  inputShape: readonly number[] | undefined,
  classes: number,
): { problems: ModelShapeProblem[]; weights: number } {
  const problems: ModelShapeProblem[] = [];
  let shape: number[] | undefined = inputShape ? [...inputShape] : undefined;
  /** A lower bound where the input size is unknown (an unknown input counts as one value). */
  let weights = 0;
  /** Whether `shape` is still the samples' own shape (the hint about data.sampleShape applies). */
  let samplesShape = true;
  for (let i = 0; i < layers.length; i++) {
    const spec = layers[i] as LayerSpec;
    const step =
      spec.type === 'residual' ? residualShape(spec.layers, shape) : stepOrProblem(nextShape(spec, shape));
    if ('message' in step) {
      const { inner } = step;
      const hint = samplesShape && RANK_PROBLEM.test(step.message) ? IMAGE_HINT : '';
      const type = inner === undefined || spec.type !== 'residual' ? spec.type : spec.layers[inner]?.type;
      problems.push({
        layer: i,
        ...(inner === undefined ? {} : { inner }),
        message: `${type}: ${step.message}${hint}`,
      });
      return { problems, weights }; // the shapes after a broken layer mean nothing
    }
    if (step.shape !== shape) samplesShape = false;
    weights += step.weights;
    shape = step.shape;
    if (shape && product(shape) > SPEC_LIMITS.activationValues) {
      problems.push({
        layer: i,
        message: `${spec.type}: outputs ${fmt(shape)} = ${product(shape)} values per sample, over the limit of ${SPEC_LIMITS.activationValues}`,
      });
      return { problems, weights };
    }
  }
  weights += (shape ? product(shape) : 1) * classes + classes;
  if (weights > SPEC_LIMITS.modelParameters) {
    problems.push({
      message: `the model has ${inputShape ? '' : 'at least '}${weights} weights, over the limit of ${SPEC_LIMITS.modelParameters}`,
    });
  }
  return { problems, weights };
}

const RANK_PROBLEM = /^expects input of rank 3/;
const IMAGE_HINT = ' (give image-shaped samples, e.g. data.sampleShape: [28, 28, 1])';

interface Step {
  shape: number[] | undefined;
  weights: number;
}

/**
 * A residual block: its layers in turn (with the automatic flatten before a dense layer, as `buildModel`
 * adds it), then the projection of its input when the shapes differ. A problem inside names the layer.
 */
function residualShape(layers: readonly PlainLayerSpec[], input: number[] | undefined): Step | Problem {
  let shape = input;
  let weights = 0;
  for (let j = 0; j < layers.length; j++) {
    const step = nextShape(layers[j] as PlainLayerSpec, shape);
    if (typeof step === 'string') return { inner: j, message: step };
    weights += step.weights;
    shape = step.shape;
  }
  if (!input || !shape) return { shape, weights }; // unknown input: nothing more can be told
  const projection = projectionOf(input, shape);
  if (typeof projection === 'string') return { message: projection };
  return { shape, weights: weights + projection };
}

/** A problem of one step: `inner` is the layer inside a residual block, when it is there. */
interface Problem {
  inner?: number;
  message: string;
}

function stepOrProblem(step: Step | string): Step | Problem {
  return typeof step === 'string' ? { message: step } : step;
}

/**
 * The weights of the projection a residual block's input needs to be added to its output: none when the
 * shapes agree, a 1×1 convolution (with a stride) for images, a dense layer for flat values.
 */
export function projectionOf(input: readonly number[], output: readonly number[]): number | string {
  if (fmt(input) === fmt(output)) return 0;
  if (input.length === 1 && output.length === 1) {
    return (input[0] as number) * (output[0] as number) + (output[0] as number);
  }
  if (input.length === 3 && output.length === 3) {
    const strides = projectionStrides(input, output);
    if (strides) return (input[2] as number) * (output[2] as number) + (output[2] as number);
  }
  return `cannot add the block's input ${fmt(input)} to its output ${fmt(output)}: a projection maps flat values to flat values, or images to images whose height and width shrink by a whole stride (use padding 'same')`;
}

/**
 * The strides of a 1×1 convolution with padding 'same' that maps [h, w, ·] to [h', w', ·]: ceil(h / s) = h'
 * for some s, or undefined.
 */
export function projectionStrides(
  input: readonly number[],
  output: readonly number[],
): [number, number] | undefined {
  const stride = (from: number, to: number): number | undefined => {
    const s = Math.max(1, Math.floor(from / to));
    if (Math.ceil(from / s) === to) return s;
    return Math.ceil(from / (s + 1)) === to ? s + 1 : undefined;
  };
  const sh = stride(input[0] as number, output[0] as number);
  const sw = stride(input[1] as number, output[1] as number);
  return sh === undefined || sw === undefined ? undefined : [sh, sw];
}

/** The output shape and weight count of one layer, or what is wrong with its input. */
function nextShape(spec: PlainLayerSpec, shape: number[] | undefined): Step | string {
  switch (spec.type) {
    case 'dense': {
      const inputs = shape ? product(shape) : 1;
      return { shape: [spec.units], weights: inputs * spec.units + (spec.useBias ? spec.units : 0) };
    }
    case 'conv2d': {
      if (!shape) return { shape: undefined, weights: spec.filters };
      const out = windowOutput(shape, spec.kernelSize, spec.strides, spec.padding, 'kernel');
      if (typeof out === 'string') return out;
      const [kh, kw] = pair(spec.kernelSize);
      const channels = shape[2] as number;
      const weights = kh * kw * channels * spec.filters + (spec.useBias ? spec.filters : 0);
      return { shape: [out[0], out[1], spec.filters], weights };
    }
    case 'maxPooling2d':
    case 'averagePooling2d': {
      if (!shape) return { shape: undefined, weights: 0 };
      const out = windowOutput(shape, spec.poolSize, spec.strides ?? spec.poolSize, spec.padding, 'pool');
      if (typeof out === 'string') return out;
      return { shape: [out[0], out[1], shape[2] as number], weights: 0 };
    }
    case 'globalAveragePooling2d':
      if (!shape) return { shape: undefined, weights: 0 };
      if (shape.length !== 3) return `expects input of rank 3 [height, width, channels], got ${fmt(shape)}`;
      return { shape: [shape[2] as number], weights: 0 };
    case 'depthwiseConv2d':
    case 'separableConv2d': {
      if (!shape) return { shape: undefined, weights: spec.type === 'separableConv2d' ? spec.filters : 0 };
      const out = windowOutput(shape, spec.kernelSize, spec.strides, spec.padding, 'kernel');
      if (typeof out === 'string') return out;
      const [kh, kw] = pair(spec.kernelSize);
      const depthwise = kh * kw * (shape[2] as number) * spec.depthMultiplier;
      const channels = (shape[2] as number) * spec.depthMultiplier;
      if (spec.type === 'depthwiseConv2d') {
        return { shape: [out[0], out[1], channels], weights: depthwise + (spec.useBias ? channels : 0) };
      }
      const pointwise = channels * spec.filters + (spec.useBias ? spec.filters : 0);
      return { shape: [out[0], out[1], spec.filters], weights: depthwise + pointwise };
    }
    case 'flatten':
      return { shape: shape && shape.length > 1 ? [product(shape)] : shape, weights: 0 };
    case 'dropout':
    case 'activation':
      return { shape, weights: 0 };
    case 'batchNormalization':
      // gamma, beta, moving mean and moving variance per channel.
      return { shape, weights: shape ? 4 * (shape[shape.length - 1] as number) : 0 };
    case 'reshape': {
      const to = product(spec.targetShape);
      if (shape && product(shape) !== to) {
        return `cannot reshape input ${fmt(shape)} (${product(shape)} values) to ${fmt(spec.targetShape)} (${to} values)`;
      }
      return { shape: [...spec.targetShape], weights: 0 };
    }
  }
}

/** Output [height, width] of a conv or pool window, as tfjs computes it, or why it cannot apply. */
function windowOutput(
  shape: readonly number[],
  size: number | readonly [number, number],
  strides: number | readonly [number, number],
  padding: 'valid' | 'same',
  what: string,
): [number, number] | string {
  if (shape.length !== 3) {
    return `expects input of rank 3 [height, width, channels], got ${fmt(shape)}`;
  }
  const [kh, kw] = pair(size);
  const [sh, sw] = pair(strides);
  const [h, w] = shape as [number, number, number];
  if (padding === 'valid' && (kh > h || kw > w)) {
    return `${what} ${kh}x${kw} is larger than its input ${h}x${w} (padding 'valid'); use a smaller ${what}, fewer pooling layers or padding 'same'`;
  }
  const out = (n: number, k: number, s: number) =>
    padding === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1;
  return [out(h, kh, sh), out(w, kw, sw)];
}

function pair(x: number | readonly [number, number]): [number, number] {
  return typeof x === 'number' ? [x, x] : [x[0], x[1]];
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
