import type { SchedulerEvent } from '../../core/tasks/schedulerEvent.ts';
import type { TaskState } from './apiTypes.ts';
import type { JobEvent as WireJobEvent } from '../../proto/generated/chorus/v1/JobEvent.ts';
import type { JobState as WireJobState } from '../../proto/generated/chorus/v1/JobState.ts';
import type { JobStatus as WireJobStatus } from '../../proto/generated/chorus/v1/JobStatus.ts';
import type { JobSummary as WireJobSummary } from '../../proto/generated/chorus/v1/JobSummary.ts';
import type { SubmitJobReply } from '../../proto/generated/chorus/v1/SubmitJobReply.ts';
import type { TaskState as WireTaskState } from '../../proto/generated/chorus/v1/TaskState.ts';
import type { TaskStatus as WireTaskStatus } from '../../proto/generated/chorus/v1/TaskStatus.ts';
import type { WorkerStatus } from '../../proto/generated/chorus/v1/WorkerStatus.ts';
import type {
  JobEvent,
  JobState,
  JobStatus,
  JobSummary,
  SubmittedJob,
  TaskInfo,
  WorkerInfo,
} from './apiTypes.ts';

/** Plain API objects → `chorus.v1` messages (what the server sends). Undefined optionals stay absent. */

export function jobStateToWire(state: JobState): WireJobState {
  return `JOB_STATE_${state.toUpperCase() as Uppercase<JobState>}`;
}

export function taskStateToWire(state: TaskState): WireTaskState {
  return `TASK_STATE_${state.toUpperCase() as Uppercase<TaskState>}`;
}

export function submittedToWire(job: SubmittedJob): SubmitJobReply {
  return { jobId: job.jobId, name: job.name, tasks: job.tasks, alreadyDone: job.alreadyDone };
}

export function summaryToWire(job: JobSummary): WireJobSummary {
  return {
    jobId: job.jobId,
    name: job.name,
    state: jobStateToWire(job.state),
    counts: { ...job.counts },
    submittedAtMs: job.submittedAt,
    startedAtMs: job.startedAt,
    finishedAtMs: job.finishedAt,
    error: job.error,
    priority: job.priority,
    client: job.client,
    slots: job.slots,
  };
}

export function taskToWire(task: TaskInfo): WireTaskStatus {
  return {
    id: task.id,
    type: task.type,
    state: taskStateToWire(task.state),
    attempts: task.attempts,
    lastError: task.lastError,
    startedAtMs: task.startedAt,
    finishedAtMs: task.finishedAt,
    workerId: task.workerId,
  };
}

export function jobStatusToWire(job: JobStatus): WireJobStatus {
  return { job: summaryToWire(job), tasks: job.tasks.map(taskToWire) };
}

export function workerToWire(worker: WorkerInfo): WorkerStatus {
  return {
    workerId: worker.workerId,
    host: worker.host,
    slots: worker.slots,
    busy: worker.busy,
    backend: worker.backend,
    lastSeenMs: worker.lastSeen,
    isolation: worker.isolation ?? '',
    gpus: worker.gpus ?? [],
  };
}

function eventBody(event: SchedulerEvent): Omit<WireJobEvent, 'jobId' | 'timeMs'> {
  switch (event.type) {
    case 'job-started':
      return { jobStarted: { total: event.total, alreadyDone: event.alreadyDone } };
    case 'task-started':
      return { taskStarted: { taskId: event.id, attempt: event.attempt } };
    case 'task-progress':
      return { taskProgress: { taskId: event.id, progress: { ...event.progress } } };
    case 'task-done':
      return {
        taskDone: { taskId: event.id, resultJson: JSON.stringify(event.result), seconds: event.seconds },
      };
    case 'task-failed':
      return {
        taskFailed: {
          taskId: event.id,
          attempt: event.attempt,
          error: event.error,
          willRetry: event.willRetry,
        },
      };
    case 'job-done':
      return { jobDone: { seconds: event.seconds } };
    case 'job-failed':
      return { jobFailed: { taskId: event.taskId, error: event.error } };
    case 'job-interrupted':
      return { jobInterrupted: {} };
    default: {
      const unknown: never = event;
      throw new Error(`unknown scheduler event ${JSON.stringify(unknown)}`);
    }
  }
}

export function jobEventToWire(event: JobEvent): WireJobEvent {
  return { jobId: event.jobId, timeMs: event.time, ...eventBody(event.event) };
}
