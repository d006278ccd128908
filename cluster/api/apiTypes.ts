import type { Priority } from '../../core/spec/priority.ts';
import type { TaskStatus } from '../../core/tasks/taskRecord.ts';
import type { SchedulerEvent } from '../../core/tasks/schedulerEvent.ts';
import type { WorkerHeartbeat } from '../messages/workerHeartbeat.ts';

/**
 * The coordinator API as plain TypeScript objects: what `CoordinatorHandlers` take and return on the
 * server, and what the client library (`cluster/client/`) returns. Only the wire conversion
 * (`toWire.ts`, `fromWire.ts`) sees the messages of `proto/chorus.proto`; times are milliseconds since the Unix epoch.
 */

/** A local data file named by the job, uploaded with it; `path` is exactly as the job file names it. */
export interface UploadFile {
  path: string;
  bytes: Uint8Array;
}

export interface SubmitJobRequest {
  /** The job file's name as the user gave it, for messages. */
  fileName: string;
  jobText: string;
  /** Discard an earlier run's state instead of resuming it. */
  fresh: boolean;
  files: UploadFile[];
  /** Overrides the job file's `runtime.priority`. */
  priority?: Priority;
}

export interface SubmittedJob {
  jobId: string;
  name: string;
  /** Tasks in the plan. */
  tasks: number;
  /** Tasks already done by an earlier run (resume). */
  alreadyDone: number;
}

export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * A task's state as clients see it: the scheduler's record status, with a dispatched task that no
 * worker has taken yet (or whose worker stopped sending heartbeats) shown as `queued`, not `running`.
 */
export const TASK_STATES = ['pending', 'queued', 'running', 'done', 'failed'] as const;
export type TaskState = (typeof TASK_STATES)[number] & (TaskStatus | 'queued');

export type TaskCounts = Record<TaskState, number>;

export interface JobSummary {
  jobId: string;
  name: string;
  state: JobState;
  counts: TaskCounts;
  submittedAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** Why it failed, when it did. */
  error?: string;
  /** Its class on the cluster. */
  priority: Priority;
  /** The client token that submitted it; absent without authentication. */
  client?: string;
  /** Worker slots it holds now: tasks dispatched to the work queue and not finished. */
  slots: number;
}

export interface TaskInfo {
  id: string;
  /** The task kind (`train`, `predict`, …); a string so that a newer coordinator's kinds pass through. */
  type: string;
  state: TaskState;
  attempts: number;
  lastError?: string;
  startedAt?: number;
  finishedAt?: number;
  workerId?: string;
}

export interface JobStatus extends JobSummary {
  /** Every task, in plan order. */
  tasks: TaskInfo[];
}

/** One scheduler event of a job, stamped with when it happened. */
export interface JobEvent {
  jobId: string;
  time: number;
  event: SchedulerEvent;
}

/** A connected worker, from its last heartbeat. */
export type WorkerInfo = Omit<WorkerHeartbeat, 'tasks'>;

/** A job's report as text: `report.json` (the evolving `Report` type) and `report.md`. */
export interface ReportText {
  json: string;
  markdown: string;
}

/** A file of a done job that `chorus fetch` downloads (the report's three files and every model). */
export interface ArtifactInfo {
  /** Relative, `/`-separated, as in `chorus run`'s output folder, e.g. `models/members/mlp-0/model.json`. */
  path: string;
  size: number;
  /** SHA-256 of its bytes, lowercase hex. */
  sha256: string;
}

/** One float32 array a worker sends to the coordinator, row-major [rows, cols]. */
export interface LogitArray {
  jobId: string;
  taskId: string;
  dispatchId: string;
  /** The artifact key, e.g. `predictions/members/mlp-0/test.f32`. */
  key: string;
  /** train, validation or test. */
  split: string;
  rows: number;
  cols: number;
  values: Float32Array;
}

/** What the coordinator accepted from one PutLogits stream. */
export interface PutLogitsResult {
  /** Keys of the arrays received whole, in completion order. */
  keys: string[];
  floats: number;
}
