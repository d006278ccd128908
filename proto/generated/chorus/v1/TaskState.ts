// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * Where a task is in its life (as the scheduler's TaskRecord status).
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
   * Dispatched to a worker.
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
} as const;

/**
 * Where a task is in its life (as the scheduler's TaskRecord status).
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
   * Dispatched to a worker.
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
  | 4;

/**
 * Where a task is in its life (as the scheduler's TaskRecord status).
 */
export type TaskState__Output = (typeof TaskState)[keyof typeof TaskState];
