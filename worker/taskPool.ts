import type { BackendChoice } from '../core/backend/backendChoice.ts';
import type { TaskOutcome } from '../core/tasks/taskOutcome.ts';
import type { PoolRequest, ThreadMessage, WarmUpResult } from './poolMessages.ts';

/** A task for a pool: everything but the reply channel, which the pool makes. */
export type PoolTaskRequest = Omit<PoolRequest, 'port'>;

/**
 * Where tasks run: a piscina pool of threads (threadPool.ts) or a pool of child processes
 * (processPool/processPool.ts), each slot with its own tfjs engine. The executors (embedded and
 * NATS) see only this. Failures come back as TaskOutcome data, never as exceptions.
 */
export interface TaskPool {
  /** Tasks that may run at once. */
  readonly slots: number;
  /**
   * `signal` aborts the task (its thread or process is ended); `yieldSignal` asks it to give its slot
   * back, which a training task does at the end of its epoch, checkpointed (TaskYieldedError).
   */
  run(
    request: PoolTaskRequest,
    onMessage: (message: ThreadMessage) => void,
    signal?: AbortSignal,
    yieldSignal?: AbortSignal,
  ): Promise<TaskOutcome>;
  /**
   * Starts `backend` in every slot before any task. Rejects if a slot cannot start it (the caller
   * may go on: each task selects its backend again).
   */
  warmUp(
    backend: BackendChoice,
    options?: { waitMs?: number; natsArtifacts?: boolean },
  ): Promise<WarmUpResult[]>;
  close(): Promise<void>;
}
