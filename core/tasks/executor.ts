import type { PoolTask } from './task.ts';
import type { TaskOutcome } from './taskOutcome.ts';
import type { TaskProgress } from './taskProgress.ts';
import type { TaskRecord } from './taskRecord.ts';

export interface RunOptions {
  attempt: number;
  onProgress: (update: TaskProgress) => void;
  signal: AbortSignal;
}

/** Runs pool tasks somewhere (local piscina threads, or remote workers over NATS). */
export interface Executor {
  /** How many tasks may run at once. */
  readonly slots: number;
  run(task: PoolTask, options: RunOptions): Promise<TaskOutcome>;
  /**
   * Optional: continue an attempt that was running when the scheduler last stopped (a remote worker
   * may still be on it). Without it, such a task simply starts again.
   */
  reattach?(task: PoolTask, record: TaskRecord, options: RunOptions): Promise<TaskOutcome>;
  close(): Promise<void>;
}
