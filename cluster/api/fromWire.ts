import { ChorusError } from '../../core/errors.ts';
import { DEFAULT_PRIORITY, PRIORITIES, type Priority } from '../../core/spec/priority.ts';
import type { TaskProgress } from '../../core/tasks/taskProgress.ts';
import type { TaskResult } from '../../core/tasks/taskResult.ts';
import type { SchedulerEvent } from '../../core/tasks/schedulerEvent.ts';
import type { TaskState } from './apiTypes.ts';
import type { JobEvent__Output } from '../../proto/generated/chorus/v1/JobEvent.ts';
import type { JobState__Output } from '../../proto/generated/chorus/v1/JobState.ts';
import type { JobStatus__Output } from '../../proto/generated/chorus/v1/JobStatus.ts';
import type { JobSummary__Output } from '../../proto/generated/chorus/v1/JobSummary.ts';
import type { SubmitJobReply__Output } from '../../proto/generated/chorus/v1/SubmitJobReply.ts';
import type { TaskProgress__Output } from '../../proto/generated/chorus/v1/TaskProgress.ts';
import type { TaskState__Output } from '../../proto/generated/chorus/v1/TaskState.ts';
import type { TaskStatus__Output } from '../../proto/generated/chorus/v1/TaskStatus.ts';
import type { WorkerStatus__Output } from '../../proto/generated/chorus/v1/WorkerStatus.ts';
import {
  JOB_STATES,
  TASK_STATES,
  type JobEvent,
  type JobState,
  type JobStatus,
  type JobSummary,
  type SubmittedJob,
  type TaskInfo,
  type WorkerInfo,
} from './apiTypes.ts';

/**
 * `chorus.v1` messages → plain API objects (what the client returns). A message that breaks the
 * protocol (an unknown state, a missing oneof) is a ChorusError naming what was wrong.
 */

function protocolError(what: string): ChorusError {
  return new ChorusError(`the coordinator sent ${what} (client and coordinator versions differ?)`);
}

export function jobStateFromWire(state: JobState__Output): JobState {
  const plain = state.replace(/^JOB_STATE_/, '').toLowerCase();
  const found = JOB_STATES.find((s) => s === plain);
  if (!found) throw protocolError(`an unknown job state ${state}`);
  return found;
}

export function taskStateFromWire(state: TaskState__Output): TaskState {
  const plain = state.replace(/^TASK_STATE_/, '').toLowerCase();
  const found = TASK_STATES.find((s) => s === plain);
  if (!found) throw protocolError(`an unknown task state ${state}`);
  return found;
}

/** Copies only the fields that are set (the loader adds `_field` markers for proto3 optionals). */
function withOptionals<T extends object>(base: T, optionals: Record<string, unknown>): T {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(optionals)) if (v !== undefined && v !== null) out[k] = v;
  return out as T;
}

export function submittedFromWire(reply: SubmitJobReply__Output): SubmittedJob {
  return { jobId: reply.jobId, name: reply.name, tasks: reply.tasks, alreadyDone: reply.alreadyDone };
}

export function summaryFromWire(job: JobSummary__Output | null): JobSummary {
  if (!job) throw protocolError('a job status without its job');
  const counts = job.counts ?? { pending: 0, queued: 0, running: 0, done: 0, failed: 0 };
  return withOptionals<JobSummary>(
    {
      jobId: job.jobId,
      name: job.name,
      state: jobStateFromWire(job.state),
      counts: {
        pending: counts.pending,
        queued: counts.queued,
        running: counts.running,
        done: counts.done,
        failed: counts.failed,
      },
      submittedAt: job.submittedAtMs,
      // A coordinator from before priorities sends none: its jobs were all alike.
      priority: priorityFromWire(job.priority),
      slots: job.slots,
    },
    { startedAt: job.startedAtMs, finishedAt: job.finishedAtMs, error: job.error, client: job.client },
  );
}

export function taskFromWire(task: TaskStatus__Output): TaskInfo {
  return withOptionals<TaskInfo>(
    { id: task.id, type: task.type, state: taskStateFromWire(task.state), attempts: task.attempts },
    {
      lastError: task.lastError,
      startedAt: task.startedAtMs,
      finishedAt: task.finishedAtMs,
      workerId: task.workerId,
    },
  );
}

export function jobStatusFromWire(status: JobStatus__Output): JobStatus {
  return { ...summaryFromWire(status.job), tasks: status.tasks.map(taskFromWire) };
}

export function workerFromWire(worker: WorkerStatus__Output): WorkerInfo {
  return {
    workerId: worker.workerId,
    host: worker.host,
    slots: worker.slots,
    busy: worker.busy,
    backend: worker.backend,
    lastSeen: worker.lastSeenMs,
    ...(worker.isolation === 'thread' || worker.isolation === 'process'
      ? { isolation: worker.isolation }
      : {}),
    ...(worker.gpus.length > 0 ? { gpus: worker.gpus } : {}),
  };
}

function progressFromWire(progress: TaskProgress__Output | null): TaskProgress {
  if (!progress) return {};
  const { epoch, epochs, batch, batches, loss, samplesPerSecond, message } = progress;
  return withOptionals<TaskProgress>({}, { epoch, epochs, batch, batches, loss, samplesPerSecond, message });
}

function parseResult(json: string): TaskResult {
  try {
    // The coordinator serialised a TaskResult; its shape is its contract, not re-validated here.
    return JSON.parse(json) as TaskResult;
  } catch {
    throw protocolError('a task result that is not JSON');
  }
}

function schedulerEventFromWire(e: JobEvent__Output): SchedulerEvent {
  switch (e.event) {
    case 'jobStarted':
      if (e.jobStarted)
        return { type: 'job-started', total: e.jobStarted.total, alreadyDone: e.jobStarted.alreadyDone };
      break;
    case 'taskStarted':
      if (e.taskStarted)
        return { type: 'task-started', id: e.taskStarted.taskId, attempt: e.taskStarted.attempt };
      break;
    case 'taskProgress':
      if (e.taskProgress)
        return {
          type: 'task-progress',
          id: e.taskProgress.taskId,
          progress: progressFromWire(e.taskProgress.progress),
        };
      break;
    case 'taskDone':
      if (e.taskDone)
        return {
          type: 'task-done',
          id: e.taskDone.taskId,
          result: parseResult(e.taskDone.resultJson),
          seconds: e.taskDone.seconds,
        };
      break;
    case 'taskFailed':
      if (e.taskFailed)
        return {
          type: 'task-failed',
          id: e.taskFailed.taskId,
          attempt: e.taskFailed.attempt,
          error: e.taskFailed.error,
          willRetry: e.taskFailed.willRetry,
        };
      break;
    case 'jobDone':
      if (e.jobDone) return { type: 'job-done', seconds: e.jobDone.seconds };
      break;
    case 'jobFailed':
      if (e.jobFailed) return { type: 'job-failed', taskId: e.jobFailed.taskId, error: e.jobFailed.error };
      break;
    case 'jobInterrupted':
      return { type: 'job-interrupted' };
  }
  throw protocolError(`a job event without a known body (${e.event ?? 'none'})`);
}

export function jobEventFromWire(e: JobEvent__Output): JobEvent {
  return { jobId: e.jobId, time: e.timeMs, event: schedulerEventFromWire(e) };
}

/** A priority as the wire carries it; empty (an older coordinator) is normal. */
export function priorityFromWire(value: string): Priority {
  if (value === '') return DEFAULT_PRIORITY;
  const known = PRIORITIES.find((p) => p === value);
  if (!known) throw protocolError(`unknown priority ${JSON.stringify(value.slice(0, 40))}`);
  return known;
}
