import { z } from 'zod';
import { boundedPositiveInt, fraction, positiveNumber } from './fields.ts';
import { SPEC_LIMITS } from './specLimits.ts';

/**
 * Layer specs in a job file. Each is a tagged object `{ type: ..., ...options }`; option names
 * follow tfjs-layers (camelCase) so users can read the tfjs docs for their meaning.
 */

const units = boundedPositiveInt(SPEC_LIMITS.layerWidth, 'units');
const filters = boundedPositiveInt(SPEC_LIMITS.layerWidth, 'filters');
const windowSize = boundedPositiveInt(SPEC_LIMITS.windowSize, 'pixels');
const dimension = boundedPositiveInt(SPEC_LIMITS.dimension, 'values per dimension');
const activation = z.enum([
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'sigmoid',
  'tanh',
  'softmax',
  'softplus',
  'swish',
  'gelu',
]);
const padding = z.enum(['valid', 'same']);
const size2 = z.union([windowSize, z.tuple([windowSize, windowSize])], {
  error: `expected a positive integer (at most ${SPEC_LIMITS.windowSize}) or a pair [height, width] of them`,
});

export const denseLayer = z.strictObject({
  type: z.literal('dense'),
  units,
  activation: activation.default('linear'),
  useBias: z.boolean({ error: 'expected true or false' }).default(true),
});

export const conv2dLayer = z.strictObject({
  type: z.literal('conv2d'),
  filters,
  kernelSize: size2,
  strides: size2.default(1),
  padding: padding.default('valid'),
  activation: activation.default('linear'),
  useBias: z.boolean({ error: 'expected true or false' }).default(true),
});

/** Options of a pooling window; tfjs (like Keras) strides by the pool size when `strides` is not given. */
const poolOptions = {
  poolSize: size2.default(2),
  strides: size2.optional(),
  padding: padding.default('valid'),
};

export const maxPooling2dLayer = z.strictObject({ type: z.literal('maxPooling2d'), ...poolOptions });

export const averagePooling2dLayer = z.strictObject({ type: z.literal('averagePooling2d'), ...poolOptions });

/** The mean over height and width of each channel: [h, w, c] → [c]. */
export const globalAveragePooling2dLayer = z.strictObject({ type: z.literal('globalAveragePooling2d') });

/** Options of a depthwise convolution: one filter per input channel, times `depthMultiplier`. */
const depthwiseOptions = {
  kernelSize: size2,
  strides: size2.default(1),
  padding: padding.default('valid'),
  depthMultiplier: boundedPositiveInt(SPEC_LIMITS.layerWidth, 'outputs per input channel').default(1),
  activation: activation.default('linear'),
  useBias: z.boolean({ error: 'expected true or false' }).default(true),
};

/** [h, w, c] → [h', w', c · depthMultiplier]. */
export const depthwiseConv2dLayer = z.strictObject({
  type: z.literal('depthwiseConv2d'),
  ...depthwiseOptions,
});

/** A depthwise convolution followed by a 1×1 convolution to `filters` channels. */
export const separableConv2dLayer = z.strictObject({
  type: z.literal('separableConv2d'),
  filters,
  ...depthwiseOptions,
});

export const flattenLayer = z.strictObject({ type: z.literal('flatten') });

export const dropoutLayer = z.strictObject({
  type: z.literal('dropout'),
  rate: fraction(),
});

export const batchNormalizationLayer = z.strictObject({
  type: z.literal('batchNormalization'),
  momentum: fraction().default(0.99),
  epsilon: positiveNumber().default(0.001),
});

export const activationLayer = z.strictObject({
  type: z.literal('activation'),
  activation,
});

export const reshapeLayer = z.strictObject({
  type: z.literal('reshape'),
  targetShape: z.array(dimension).min(1, { error: 'expected a non-empty list of positive integers' }),
});

const plainLayers = [
  denseLayer,
  conv2dLayer,
  maxPooling2dLayer,
  averagePooling2dLayer,
  globalAveragePooling2dLayer,
  depthwiseConv2dLayer,
  separableConv2dLayer,
  flattenLayer,
  dropoutLayer,
  batchNormalizationLayer,
  activationLayer,
  reshapeLayer,
] as const;

/** Any layer but a residual block: what a residual block holds (blocks do not nest). */
export const plainLayerSpec = z.discriminatedUnion('type', plainLayers);

/**
 * A residual block: its layers' output added to its input (He et al. 2016). When the shapes differ, the
 * input goes through a 1×1 convolution (image-shaped) or a dense layer (flat) to the output's shape first.
 */
export const residualLayer = z.strictObject({
  type: z.literal('residual'),
  layers: z
    .array(plainLayerSpec, { error: 'expected a list of layers (a residual block holds no residual block)' })
    .min(1, { error: 'expected at least one layer' })
    .max(SPEC_LIMITS.layersPerModel, {
      error: `expected at most ${SPEC_LIMITS.layersPerModel} layers (the limit)`,
    }),
});

export const layerSpec = z.discriminatedUnion('type', [...plainLayers, residualLayer]);

/** A layer as written in a job file (defaults not yet filled). */
export type LayerSpecInput = z.input<typeof layerSpec>;
/** A layer with every default filled. */
export type LayerSpec = z.output<typeof layerSpec>;
/** A layer other than a residual block, defaults filled. */
export type PlainLayerSpec = z.output<typeof plainLayerSpec>;
export type ResidualLayerSpec = z.output<typeof residualLayer>;
export type Activation = z.output<typeof activation>;
