import { z } from 'zod';
import type { TaskFailure } from './taskFailure.ts';

export { toFailure, type TaskFailure } from './taskFailure.ts';

/** Failure of one task attempt on the wire: the schema of `TaskFailure` (taskFailure.ts). */
export const taskFailureSchema = z.object({
  name: z.string(),
  message: z.string(),
  /** False for bad input (NonRetryableError): retrying cannot help. */
  retryable: z.boolean(),
}) satisfies z.ZodType<TaskFailure>;
