import { z } from 'zod';
import { taskResultSchema } from './taskResult.ts';
import { taskFailureSchema } from './toFailure.ts';

/** How one attempt of a pool task ended, as plain data that crosses thread, process and NATS boundaries. */
export const taskOutcomeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: taskResultSchema }),
  z.object({ ok: z.literal(false), error: taskFailureSchema }),
]);

export type TaskOutcome = z.infer<typeof taskOutcomeSchema>;
