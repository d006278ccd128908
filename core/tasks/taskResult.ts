import { z } from 'zod';

/**
 * What a handler returns: small JSON kept in the job state (bulk outputs go to the ArtifactStore).
 * The schemas are the source of the types: a result that arrives over the wire is parsed by them.
 */

const seconds = z.number().nonnegative();
const count = z.number().int().nonnegative();

/** Where the task ran, for every result type. */
const ranOn = {
  /** The GPU index of the pool slot that ran the task (`--gpus`); absent when it ran on no GPU. */
  gpu: count.optional(),
};

export const trainingHistorySchema = z.object({
  /** Mean training loss per epoch. */
  loss: z.array(z.number()),
  /** Validation loss per epoch, when there is a validation split. */
  valLoss: z.array(z.number()).optional(),
  /** Validation accuracy per epoch, when there is a validation split. */
  valAccuracy: z.array(z.number()).optional(),
  /** The learning rate each epoch trained at (its schedule). */
  learningRate: z.array(z.number()).optional(),
});

/** How a training run ended, beyond its history. */
const trainingEnd = {
  /** Epochs trained (fewer than `epochs` when early stopping ended training). */
  epochsRun: count.optional(),
  /** With early stopping: the 1-based epoch whose weights were best (restored unless asked not to). */
  bestEpoch: count.optional(),
  /** The model's parameter count (trainable and not; absent in results of older runs). */
  parameters: count.optional(),
};

export const trainResultSchema = z.object({
  type: z.literal('train'),
  seconds,
  ...ranOn,
  epochs: count,
  samples: count,
  history: trainingHistorySchema,
  /** First epoch run by this attempt (> 0 when it resumed from a checkpoint). */
  resumedFromEpoch: count,
  backend: z.string(),
  ...trainingEnd,
});

export const predictResultSchema = z.object({
  type: z.literal('predict'),
  seconds,
  ...ranOn,
  /** The member's weight count (absent in results of older runs). */
  parameters: count.optional(),
});

export const stackResultSchema = z.object({
  type: z.literal('stack'),
  seconds,
  ...ranOn,
  history: trainingHistorySchema,
  /** With `ensemble.stacking.folds`: the second combiner, fitted on out-of-fold predictions. */
  outOfFold: z.object({ history: trainingHistorySchema }).optional(),
});

export const softLabelsResultSchema = z.object({
  type: z.literal('soft-labels'),
  seconds,
  ...ranOn,
  start: count,
  end: count,
});

export const distillResultSchema = z.object({
  type: z.literal('distill'),
  seconds,
  ...ranOn,
  /** With an online teacher: seconds its forward passes took (part of `seconds`). */
  teacherSeconds: seconds.optional(),
  epochs: count,
  history: trainingHistorySchema,
  resumedFromEpoch: count,
  backend: z.string(),
  ...trainingEnd,
});

/** A member trained without one fold, and its predictions for that fold (out-of-fold stacking). */
export const foldResultSchema = z.object({
  type: z.literal('fold'),
  seconds,
  ...ranOn,
  /** 0 for a pretrained member, which only predicts. */
  epochs: count,
  samples: count,
  /** Rows of the training split held out and predicted. */
  heldOut: count,
  history: trainingHistorySchema,
  resumedFromEpoch: count,
  backend: z.string(),
  ...trainingEnd,
});

export const reportResultSchema = z.object({ type: z.literal('report'), seconds, ...ranOn });

export const taskResultSchema = z.discriminatedUnion('type', [
  trainResultSchema,
  predictResultSchema,
  stackResultSchema,
  softLabelsResultSchema,
  distillResultSchema,
  foldResultSchema,
  reportResultSchema,
]);

export type TrainingHistory = z.infer<typeof trainingHistorySchema>;
/** How a training run ended, beyond its history. */
export type TrainingEnd = Pick<TrainResult, keyof typeof trainingEnd>;
export type TrainResult = z.infer<typeof trainResultSchema>;
export type PredictResult = z.infer<typeof predictResultSchema>;
export type StackResult = z.infer<typeof stackResultSchema>;
export type SoftLabelsResult = z.infer<typeof softLabelsResultSchema>;
export type DistillResult = z.infer<typeof distillResultSchema>;
export type FoldResult = z.infer<typeof foldResultSchema>;
export type ReportResult = z.infer<typeof reportResultSchema>;
export type TaskResult = z.infer<typeof taskResultSchema>;
