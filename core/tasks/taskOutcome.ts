import type { TaskResult } from './taskResult.ts';
import type { TaskFailure } from './toFailure.ts';

/** How one attempt of a pool task ended, as plain data that crosses thread, process and NATS boundaries. */
export type TaskOutcome = { ok: true; result: TaskResult } | { ok: false; error: TaskFailure };
