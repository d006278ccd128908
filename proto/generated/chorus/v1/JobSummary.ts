// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type {
  JobState as _chorus_v1_JobState,
  JobState__Output as _chorus_v1_JobState__Output,
} from '../../chorus/v1/JobState.ts';
import type {
  TaskCounts as _chorus_v1_TaskCounts,
  TaskCounts__Output as _chorus_v1_TaskCounts__Output,
} from '../../chorus/v1/TaskCounts.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * A job without per-task detail (ListJobs, CancelJob).
 */
export interface JobSummary {
  /**
   * The job's id.
   */
  jobId?: string;
  /**
   * The job's name from the job file.
   */
  name?: string;
  /**
   * Its state.
   */
  state?: _chorus_v1_JobState;
  /**
   * Its tasks, counted by state.
   */
  counts?: _chorus_v1_TaskCounts | null;
  /**
   * When it was submitted.
   */
  submittedAtMs?: number | string | Long;
  /**
   * When its first task started.
   */
  startedAtMs?: number | string | Long;
  /**
   * When it ended (done, failed or cancelled).
   */
  finishedAtMs?: number | string | Long;
  /**
   * Why it failed, when it did.
   */
  error?: string;
  /**
   * Its priority class: `high`, `normal` or `low`.
   */
  priority?: string;
  /**
   * The name of the client token that submitted it (absent without authentication).
   */
  client?: string;
  /**
   * Worker slots it holds now: its tasks dispatched to the work queue and not finished (running, or
   * next in line on the queue).
   */
  slots?: number;
  _startedAtMs?: 'startedAtMs';
  _finishedAtMs?: 'finishedAtMs';
  _error?: 'error';
  _client?: 'client';
}

/**
 * A job without per-task detail (ListJobs, CancelJob).
 */
export interface JobSummary__Output {
  /**
   * The job's id.
   */
  jobId: string;
  /**
   * The job's name from the job file.
   */
  name: string;
  /**
   * Its state.
   */
  state: _chorus_v1_JobState__Output;
  /**
   * Its tasks, counted by state.
   */
  counts: _chorus_v1_TaskCounts__Output | null;
  /**
   * When it was submitted.
   */
  submittedAtMs: number;
  /**
   * When its first task started.
   */
  startedAtMs?: number;
  /**
   * When it ended (done, failed or cancelled).
   */
  finishedAtMs?: number;
  /**
   * Why it failed, when it did.
   */
  error?: string;
  /**
   * Its priority class: `high`, `normal` or `low`.
   */
  priority: string;
  /**
   * The name of the client token that submitted it (absent without authentication).
   */
  client?: string;
  /**
   * Worker slots it holds now: its tasks dispatched to the work queue and not finished (running, or
   * next in line on the queue).
   */
  slots: number;
  _startedAtMs?: 'startedAtMs';
  _finishedAtMs?: 'finishedAtMs';
  _error?: 'error';
  _client?: 'client';
}
