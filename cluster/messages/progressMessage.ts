import { z } from 'zod';
import { taskProgressSchema } from '../../core/tasks/taskProgress.ts';

/** A progress event as workers publish it on a job's progress subject (core NATS, not persisted). */
export const progressMessageSchema = z.object({
  taskId: z.string().min(1).max(200),
  progress: taskProgressSchema,
});

export type ProgressMessage = z.infer<typeof progressMessageSchema>;
