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

export const maxPooling2dLayer = z.strictObject({
  type: z.literal('maxPooling2d'),
  poolSize: size2.default(2),
  strides: size2.optional(),
  padding: padding.default('valid'),
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

export const layerSpec = z.discriminatedUnion('type', [
  denseLayer,
  conv2dLayer,
  maxPooling2dLayer,
  flattenLayer,
  dropoutLayer,
  batchNormalizationLayer,
  activationLayer,
  reshapeLayer,
]);

/** A layer as written in a job file (defaults not yet filled). */
export type LayerSpecInput = z.input<typeof layerSpec>;
/** A layer with every default filled. */
export type LayerSpec = z.output<typeof layerSpec>;
export type Activation = z.output<typeof activation>;
