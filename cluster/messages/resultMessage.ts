import { z } from 'zod';
import { taskOutcomeSchema } from '../../core/tasks/taskOutcome.ts';
import { taskMessageSchema } from './taskMessage.ts';

/** How a worker's attempt at a task dispatch ended, on the result stream. */
export const resultMessageSchema = taskMessageSchema.omit({ task: true }).extend({
  /** False for a failed attempt that JetStream will redeliver, and for a yield. */
  final: z.boolean(),
  /**
   * The attempt this delivery was (1 on the first): the message's deliveries so far plus the
   * dispatch's `priorAttempts`.
   */
  deliveries: z.number().int().positive(),
  /**
   * The worker gave the slot back (asked to by the coordinator, or draining), after checkpointing what
   * it could: the coordinator requeues the task as a new dispatch, and the attempt does not count.
   */
  yielded: z.boolean().optional(),
  worker: z.string(),
  outcome: taskOutcomeSchema,
});

export type ResultMessage = z.infer<typeof resultMessageSchema>;
