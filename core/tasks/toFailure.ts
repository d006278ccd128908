import { z } from 'zod';
import { NonRetryableError } from '../errors.ts';

/** Failure of one task attempt, as plain data that crosses a thread or process boundary. */
export const taskFailureSchema = z.object({
  name: z.string(),
  message: z.string(),
  /** False for bad input (NonRetryableError): retrying cannot help. */
  retryable: z.boolean(),
});

export type TaskFailure = z.infer<typeof taskFailureSchema>;

export function toFailure(err: unknown): TaskFailure {
  if (err instanceof Error)
    return { name: err.name, message: err.message, retryable: !(err instanceof NonRetryableError) };
  return { name: 'Error', message: String(err), retryable: true };
}
