/** Exit codes of every `chorus` command: 0 ok, 1 the job failed, 2 bad input (job file, flags), 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;
