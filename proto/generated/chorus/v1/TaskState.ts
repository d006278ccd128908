// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * Where a task is in its life: the scheduler's TaskRecord status, with a dispatched task that no
 * worker runs yet told apart as queued.
 */
export const TaskState = {
  /**
   * Never sent; the zero value protobuf requires.
   */
  TASK_STATE_UNSPECIFIED: 'TASK_STATE_UNSPECIFIED',
  /**
   * Waiting for its dependencies or a free slot (also after a retryable failure).
   */
  TASK_STATE_PENDING: 'TASK_STATE_PENDING',
  /**
   * Taken by a worker, which runs it now (as the worker's heartbeat says).
   */
  TASK_STATE_RUNNING: 'TASK_STATE_RUNNING',
  /**
   * Finished with a result.
   */
  TASK_STATE_DONE: 'TASK_STATE_DONE',
  /**
   * Failed and will not be retried.
   */
  TASK_STATE_FAILED: 'TASK_STATE_FAILED',
  /**
   * Dispatched to the work queue; no worker has taken it yet (or its worker has stopped answering).
   */
  TASK_STATE_QUEUED: 'TASK_STATE_QUEUED',
} as const;

/**
 * Where a task is in its life: the scheduler's TaskRecord status, with a dispatched task that no
 * worker runs yet told apart as queued.
 */
export type TaskState =
  /**
   * Never sent; the zero value protobuf requires.
   */
  | 'TASK_STATE_UNSPECIFIED'
  | 0
  /**
   * Waiting for its dependencies or a free slot (also after a retryable failure).
   */
  | 'TASK_STATE_PENDING'
  | 1
  /**
   * Taken by a worker, which runs it now (as the worker's heartbeat says).
   */
  | 'TASK_STATE_RUNNING'
  | 2
  /**
   * Finished with a result.
   */
  | 'TASK_STATE_DONE'
  | 3
  /**
   * Failed and will not be retried.
   */
  | 'TASK_STATE_FAILED'
  | 4
  /**
   * Dispatched to the work queue; no worker has taken it yet (or its worker has stopped answering).
   */
  | 'TASK_STATE_QUEUED'
  | 5;

/**
 * Where a task is in its life: the scheduler's TaskRecord status, with a dispatched task that no
 * worker runs yet told apart as queued.
 */
export type TaskState__Output = (typeof TaskState)[keyof typeof TaskState];
