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
});

export type TaskMessage = z.infer<typeof taskMessageSchema>;
