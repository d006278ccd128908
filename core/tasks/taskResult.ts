import { z } from 'zod';

/**
 * What a handler returns: small JSON kept in the job state (bulk outputs go to the ArtifactStore).
 * The schemas are the source of the types: a result that arrives over the wire is parsed by them.
 */

const seconds = z.number().nonnegative();
const count = z.number().int().nonnegative();

export const trainingHistorySchema = z.object({
  /** Mean training loss per epoch. */
  loss: z.array(z.number()),
  /** Validation loss per epoch, when there is a validation split. */
  valLoss: z.array(z.number()).optional(),
});

export const trainResultSchema = z.object({
  type: z.literal('train'),
  seconds,
  epochs: count,
  samples: count,
  history: trainingHistorySchema,
  /** First epoch run by this attempt (> 0 when it resumed from a checkpoint). */
  resumedFromEpoch: count,
  backend: z.string(),
});

export const predictResultSchema = z.object({
  type: z.literal('predict'),
  seconds,
  /** The member's weight count (absent in results of older runs). */
  parameters: count.optional(),
});

export const stackResultSchema = z.object({
  type: z.literal('stack'),
  seconds,
  history: trainingHistorySchema,
});

export const softLabelsResultSchema = z.object({
  type: z.literal('soft-labels'),
  seconds,
  start: count,
  end: count,
});

export const distillResultSchema = z.object({
  type: z.literal('distill'),
  seconds,
  epochs: count,
  history: trainingHistorySchema,
  resumedFromEpoch: count,
  backend: z.string(),
  /** The student's weight count (absent in results of older runs). */
  parameters: count.optional(),
});

export const reportResultSchema = z.object({ type: z.literal('report'), seconds });

export const taskResultSchema = z.discriminatedUnion('type', [
  trainResultSchema,
  predictResultSchema,
  stackResultSchema,
  softLabelsResultSchema,
  distillResultSchema,
  reportResultSchema,
]);

export type TrainingHistory = z.infer<typeof trainingHistorySchema>;
export type TrainResult = z.infer<typeof trainResultSchema>;
export type PredictResult = z.infer<typeof predictResultSchema>;
export type StackResult = z.infer<typeof stackResultSchema>;
export type SoftLabelsResult = z.infer<typeof softLabelsResultSchema>;
export type DistillResult = z.infer<typeof distillResultSchema>;
export type ReportResult = z.infer<typeof reportResultSchema>;
export type TaskResult = z.infer<typeof taskResultSchema>;
