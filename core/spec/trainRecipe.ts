import { z } from 'zod';
import { boundedPositiveInt, nonNegativeNumber, positiveNumber } from './fields.ts';
import { SPEC_LIMITS } from './specLimits.ts';

/**
 * The training-recipe fields of a `train` section (members, students): learning-rate schedule,
 * decoupled weight decay, label smoothing, gradient clipping, class weights and early stopping. Every
 * default reproduces plain training at a fixed learning rate, so a job file without them trains exactly
 * as before.
 */

const warmupEpochs = z
  .number({ error: 'expected an integer >= 0' })
  .max(SPEC_LIMITS.epochs, {
    error: `expected at most ${SPEC_LIMITS.epochs} epochs (the limit)`,
    abort: true,
  })
  .int({ error: 'expected an integer >= 0' })
  .nonnegative({ error: 'expected an integer >= 0' });

/** A factor in (0, 1): what a decay multiplies the learning rate by. */
const decayFactor = () =>
  z
    .number({ error: 'expected a number between 0 and 1 (exclusive)' })
    .gt(0, { error: 'expected a number between 0 and 1 (exclusive)' })
    .lt(1, { error: 'expected a number between 0 and 1 (exclusive)' });

const patience = () =>
  z
    .number({ error: 'expected an integer >= 0' })
    .max(SPEC_LIMITS.epochs, {
      error: `expected at most ${SPEC_LIMITS.epochs} epochs (the limit)`,
      abort: true,
    })
    .int({ error: 'expected an integer >= 0' })
    .nonnegative({ error: 'expected an integer >= 0' });

/**
 * The learning rate per epoch. Every schedule may start with `warmupEpochs` of linear warm-up (epoch e <
 * w trains at learningRate · (e + 1) / w); the schedule proper starts after them.
 */
export const learningRateSchedule = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('constant'), warmupEpochs: warmupEpochs.default(0) }),
    /** learningRate · factor^floor(epoch / everyEpochs). */
    z.strictObject({
      type: z.literal('step'),
      warmupEpochs: warmupEpochs.default(0),
      everyEpochs: boundedPositiveInt(SPEC_LIMITS.epochs, 'epochs').default(10),
      factor: decayFactor().default(0.1),
    }),
    /** Half a cosine from learningRate down to minLearningRate over the epochs after warm-up. */
    z.strictObject({
      type: z.literal('cosine'),
      warmupEpochs: warmupEpochs.default(0),
      minLearningRate: nonNegativeNumber().default(0),
    }),
    /** Multiply by `factor` after `patience` epochs without the validation loss improving by minDelta. */
    z.strictObject({
      type: z.literal('plateau'),
      warmupEpochs: warmupEpochs.default(0),
      factor: decayFactor().default(0.5),
      patience: patience().default(2),
      minDelta: nonNegativeNumber().default(0),
      minLearningRate: nonNegativeNumber().default(0),
    }),
  ],
  { error: 'expected one of "constant", "step", "cosine", "plateau"' },
);

export const earlyStoppingSpec = z.strictObject({
  /** What must improve: validation loss (lower) or validation accuracy (higher). */
  metric: z.enum(['valLoss', 'valAccuracy']).default('valLoss'),
  /** Epochs without an improvement of more than minDelta before training stops. */
  patience: patience().default(5),
  minDelta: nonNegativeNumber().default(0),
  /** At the stop (or the last epoch), go back to the best epoch's weights. */
  restoreBestWeights: z.boolean({ error: 'expected true or false' }).default(true),
});

const classIndexKey = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,5})$/, { error: 'expected a class index (0, 1, 2, …)' });

export const classWeightsSpec = z.union(
  [z.literal('balanced'), z.record(classIndexKey, nonNegativeNumber())],
  { error: 'expected "balanced" or a map of class index to weight, e.g. { 0: 1, 3: 2.5 }' },
);

/** Spread into the `train` schema of members and students. */
export const trainRecipeFields = {
  schedule: learningRateSchedule.prefault({ type: 'constant' }),
  /**
   * Decoupled weight decay (AdamW, SGDW; Loshchilov & Hutter 2019): each step multiplies every kernel
   * (weights of rank >= 2; not biases or batch-normalisation parameters) by 1 − learningRate_t · weightDecay,
   * apart from the gradient step.
   */
  weightDecay: nonNegativeNumber().default(0),
  /** Hard targets become (1 − ε) · one-hot + ε / classes. */
  labelSmoothing: z
    .number({ error: 'expected a number in [0, 1)' })
    .min(0, { error: 'expected a number in [0, 1)' })
    .lt(1, { error: 'expected a number in [0, 1)' })
    .default(0),
  /** Rescale the gradients when their global L2 norm exceeds this. */
  clipNorm: positiveNumber().optional(),
  /** Per-class weights of the hard-label loss: `balanced` = n / (classes · count of the class). */
  classWeights: classWeightsSpec.optional(),
  earlyStopping: earlyStoppingSpec.optional(),
};

/** `offline`, `online`, or a list of them (each distilled student is trained once per entry). */
export const teacherTargetsSpec = z
  .union(
    [
      z.enum(['offline', 'online']),
      z
        .array(z.enum(['offline', 'online']))
        .min(1, { error: 'expected "offline", "online" or a list of them' })
        .max(2, { error: 'expected "offline", "online" or a list of them' }),
    ],
    { error: 'expected "offline", "online" or a list of them' },
  )
  .default('offline')
  .transform((v): ('offline' | 'online')[] => [...new Set(Array.isArray(v) ? v : [v])]);

export type LearningRateScheduleSpec = z.output<typeof learningRateSchedule>;
export type EarlyStoppingSpec = z.output<typeof earlyStoppingSpec>;
export type ClassWeightsSpec = z.output<typeof classWeightsSpec>;
