import { z } from 'zod';
import { poolTaskSchema } from '../../core/tasks/task.ts';

const id = z.string().min(1).max(200);

/** One dispatch of a pool task, on the task work queue. */
export const taskMessageSchema = z.object({
  jobId: id,
  taskId: id,
  /** Identifies this dispatch of the task; results and workers holding an older one are ignored. */
  dispatchId: id,
  task: poolTaskSchema,
  /**
   * Attempts the task used up before this dispatch (failed deliveries of earlier dispatches; a dispatch
   * that gave its slot back used none): a worker's attempt is this plus the message's deliveries.
   */
  priorAttempts: z.number().int().nonnegative().max(1000).optional(),
});

export type TaskMessage = z.infer<typeof taskMessageSchema>;
