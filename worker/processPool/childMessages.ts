import type { BackendChoice } from '../../core/backend/backendChoice.ts';
import type { TaskFailure } from '../../core/tasks/taskFailure.ts';
import type { TaskOutcome } from '../../core/tasks/taskOutcome.ts';
import type { ThreadMessage, WarmUpResult } from '../poolMessages.ts';
import type { PoolTaskRequest } from '../taskPool.ts';

/** A task for a child process: its data is a file the child reads once per job (dataFile.ts). */
export type ChildTaskRequest = Omit<PoolTaskRequest, 'data'> & { dataFile: string };

/** From the pool to one of its child processes, tagged by `type`; `id` pairs requests and replies. */
export type ToChildMessage =
  | { type: 'task'; id: number; request: ChildTaskRequest }
  /** Asks task `id` to give its slot back (training: at its epoch's end, checkpointed). */
  | { type: 'yield'; id: number }
  | { type: 'warm-up'; id: number; backend: BackendChoice; natsArtifacts: boolean };

/** From a child process to its pool. Messages of one task arrive before its outcome (one ordered channel). */
export type FromChildMessage =
  | { type: 'message'; id: number; message: ThreadMessage }
  | { type: 'outcome'; id: number; outcome: TaskOutcome }
  | { type: 'warmed'; id: number; result: WarmUpResult }
  | { type: 'warm-up-failed'; id: number; error: TaskFailure };
