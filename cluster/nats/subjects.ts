import type { TaskProgress } from '../../core/tasks/taskProgress.ts';
import type { NatsNames } from './natsNames.ts';

/** Core NATS subjects (not persisted) between the coordinator and workers. */
export const subjects = {
  /** Every job's progress events: workers publish on `progressSubject(jobId)`. */
  allProgress: (names: NatsNames) => `${names.prefix}.progress.*`,
  /** Told to workers when a job is cancelled, so they stop its running tasks. */
  cancel: (names: NatsNames, jobId: string) => `${names.prefix}.cancel.${jobId}`,
  allCancels: (names: NatsNames) => `${names.prefix}.cancel.*`,
};

/** A progress event as workers publish it. */
export interface ProgressMessage {
  taskId: string;
  progress: TaskProgress;
}
