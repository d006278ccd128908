import { NonRetryableError } from '../errors.ts';

/**
 * Failure of one task attempt, as plain data that crosses a thread or process boundary (its wire schema:
 * toFailure.ts). Kept apart from the schema so a pool thread reports failures without loading zod.
 */
export interface TaskFailure {
  name: string;
  message: string;
  /** False for bad input (NonRetryableError): retrying cannot help. */
  retryable: boolean;
}

export function toFailure(err: unknown): TaskFailure {
  if (err instanceof Error)
    return { name: err.name, message: err.message, retryable: !(err instanceof NonRetryableError) };
  return { name: 'Error', message: String(err), retryable: true };
}
