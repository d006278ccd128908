import { z } from 'zod';

/**
 * The units of work a job is planned into. Tasks are plain JSON (they cross thread, process and
 * NATS boundaries) tagged by `type`; everything else a handler needs comes from its TaskContext.
 * The schemas are the source of the types: a task that arrives over the wire is parsed by them.
 */

const taskId = z.string().min(1).max(200);
const name = z.string().min(1).max(200);

const common = {
  /** Unique within a job, stable across runs (resume matches on it), e.g. `train:mlp-0`. */
  id: taskId,
  /** Ids of the tasks whose outputs this one reads. */
  deps: z.array(taskId),
};

/** Train one ensemble member; checkpoints every epoch so a retry resumes. */
export const trainTaskSchema = z.object({ type: z.literal('train'), ...common, member: name });

/** Write a trained member's logits on the validation and test splits. */
export const predictTaskSchema = z.object({ type: z.literal('predict'), ...common, member: name });

/** Train the stacking combiner on members' validation outputs; write its test logits. */
export const stackTaskSchema = z.object({ type: z.literal('stack'), ...common });

/** Write every teacher member's logits for one contiguous shard of the training split. */
export const softLabelsTaskSchema = z.object({
  type: z.literal('soft-labels'),
  ...common,
  shard: z.number().int().nonnegative(),
  shards: z.number().int().positive(),
});

/** Train one student (distilled at a temperature/alpha, or the hard-label baseline). */
export const distillTaskSchema = z.object({
  type: z.literal('distill'),
  ...common,
  /** A `StudentRun` name from the resolved job. */
  student: name,
});

/**
 * Out-of-fold stacking: train one member on every fold of the training split but `fold`, and write its
 * predictions for the rows of `fold` (a pretrained member only predicts them).
 */
export const foldTaskSchema = z.object({
  type: z.literal('fold'),
  ...common,
  member: name,
  fold: z.number().int().nonnegative(),
  folds: z.number().int().min(2),
});

/** Aggregate everything and write the report; runs on the coordinator, not in the pool. */
export const reportTaskSchema = z.object({ type: z.literal('report'), ...common });

/** Tasks that run in a worker thread (the report runs where the scheduler is). */
export const poolTaskSchema = z.discriminatedUnion('type', [
  trainTaskSchema,
  predictTaskSchema,
  stackTaskSchema,
  softLabelsTaskSchema,
  distillTaskSchema,
  foldTaskSchema,
]);

export type TrainTask = z.infer<typeof trainTaskSchema>;
export type PredictTask = z.infer<typeof predictTaskSchema>;
export type StackTask = z.infer<typeof stackTaskSchema>;
export type SoftLabelsTask = z.infer<typeof softLabelsTaskSchema>;
export type DistillTask = z.infer<typeof distillTaskSchema>;
export type FoldTask = z.infer<typeof foldTaskSchema>;
export type ReportTask = z.infer<typeof reportTaskSchema>;
export type PoolTask = z.infer<typeof poolTaskSchema>;
export type Task = PoolTask | ReportTask;
export type TaskType = Task['type'];
