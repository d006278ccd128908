import { z } from 'zod';
import { taskOutcomeSchema } from '../../core/tasks/taskOutcome.ts';
import { taskMessageSchema } from './taskMessage.ts';

/** How a worker's attempt at a task dispatch ended, on the result stream. */
export const resultMessageSchema = taskMessageSchema.omit({ task: true }).extend({
  /** False for a failed attempt that JetStream will redeliver. */
  final: z.boolean(),
  /** Deliveries of the task message so far (1 on the first attempt). */
  deliveries: z.number().int().positive(),
  worker: z.string(),
  outcome: taskOutcomeSchema,
});

export type ResultMessage = z.infer<typeof resultMessageSchema>;
