// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type {
  TaskState as _chorus_v1_TaskState,
  TaskState__Output as _chorus_v1_TaskState__Output,
} from '../../chorus/v1/TaskState.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * One task of a job.
 */
export interface TaskStatus {
  /**
   * The task's id within the job, e.g. `train:mlp-0`.
   */
  id?: string;
  /**
   * Its kind: train, predict, stack, soft-labels, distill, report.
   */
  type?: string;
  /**
   * Its state.
   */
  state?: _chorus_v1_TaskState;
  /**
   * Attempts started so far.
   */
  attempts?: number;
  /**
   * The last attempt's error, `name: message`.
   */
  lastError?: string;
  /**
   * When its last attempt started.
   */
  startedAtMs?: number | string | Long;
  /**
   * When it finished.
   */
  finishedAtMs?: number | string | Long;
  /**
   * The worker running (or that ran) its last attempt, when known.
   */
  workerId?: string;
  _lastError?: 'lastError';
  _startedAtMs?: 'startedAtMs';
  _finishedAtMs?: 'finishedAtMs';
  _workerId?: 'workerId';
}

/**
 * One task of a job.
 */
export interface TaskStatus__Output {
  /**
   * The task's id within the job, e.g. `train:mlp-0`.
   */
  id: string;
  /**
   * Its kind: train, predict, stack, soft-labels, distill, report.
   */
  type: string;
  /**
   * Its state.
   */
  state: _chorus_v1_TaskState__Output;
  /**
   * Attempts started so far.
   */
  attempts: number;
  /**
   * The last attempt's error, `name: message`.
   */
  lastError?: string;
  /**
   * When its last attempt started.
   */
  startedAtMs?: number;
  /**
   * When it finished.
   */
  finishedAtMs?: number;
  /**
   * The worker running (or that ran) its last attempt, when known.
   */
  workerId?: string;
  _lastError?: 'lastError';
  _startedAtMs?: 'startedAtMs';
  _finishedAtMs?: 'finishedAtMs';
  _workerId?: 'workerId';
}
