import type { TaskResult } from './taskResult.ts';

export type TaskStatus = 'pending' | 'running' | 'done' | 'failed';

/** What the state store keeps per task: enough to resume a job and to report on it. */
export interface TaskRecord {
  id: string;
  status: TaskStatus;
  /** Attempts started so far. */
  attempts: number;
  result?: TaskResult;
  /** The last error, `name: message`. */
  error?: string;
  startedAt?: number;
  finishedAt?: number;
}
