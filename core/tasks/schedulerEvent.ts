import type { TaskProgress } from './taskProgress.ts';
import type { TaskResult } from './taskResult.ts';

/** What the scheduler reports as a job runs; progress displays and `--json` consume these. */
export type SchedulerEvent =
  | { type: 'job-started'; total: number; alreadyDone: number }
  | { type: 'task-started'; id: string; attempt: number }
  | { type: 'task-progress'; id: string; progress: TaskProgress }
  | { type: 'task-done'; id: string; result: TaskResult; seconds: number }
  | { type: 'task-failed'; id: string; attempt: number; error: string; willRetry: boolean }
  | { type: 'job-done'; seconds: number }
  | { type: 'job-failed'; taskId: string; error: string }
  | { type: 'job-interrupted' };
