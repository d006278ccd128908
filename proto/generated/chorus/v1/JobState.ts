// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * Where a job is in its life.
 */
export const JobState = {
  /**
   * Never sent; the zero value protobuf requires.
   */
  JOB_STATE_UNSPECIFIED: 'JOB_STATE_UNSPECIFIED',
  /**
   * Accepted, not yet started.
   */
  JOB_STATE_QUEUED: 'JOB_STATE_QUEUED',
  /**
   * Tasks are being dispatched.
   */
  JOB_STATE_RUNNING: 'JOB_STATE_RUNNING',
  /**
   * Every task is done; the report is available.
   */
  JOB_STATE_DONE: 'JOB_STATE_DONE',
  /**
   * A task failed for good.
   */
  JOB_STATE_FAILED: 'JOB_STATE_FAILED',
  /**
   * Stopped by CancelJob (or a coordinator shutdown); resumable.
   */
  JOB_STATE_CANCELLED: 'JOB_STATE_CANCELLED',
} as const;

/**
 * Where a job is in its life.
 */
export type JobState =
  /**
   * Never sent; the zero value protobuf requires.
   */
  | 'JOB_STATE_UNSPECIFIED'
  | 0
  /**
   * Accepted, not yet started.
   */
  | 'JOB_STATE_QUEUED'
  | 1
  /**
   * Tasks are being dispatched.
   */
  | 'JOB_STATE_RUNNING'
  | 2
  /**
   * Every task is done; the report is available.
   */
  | 'JOB_STATE_DONE'
  | 3
  /**
   * A task failed for good.
   */
  | 'JOB_STATE_FAILED'
  | 4
  /**
   * Stopped by CancelJob (or a coordinator shutdown); resumable.
   */
  | 'JOB_STATE_CANCELLED'
  | 5;

/**
 * Where a job is in its life.
 */
export type JobState__Output = (typeof JobState)[keyof typeof JobState];
