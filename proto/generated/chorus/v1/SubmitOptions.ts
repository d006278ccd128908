// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * Options of a submission.
 */
export interface SubmitOptions {
  /**
   * Discard the state of an earlier run of the same job instead of resuming it.
   */
  fresh?: boolean;
  /**
   * The job's priority class on the cluster: `high`, `normal` or `low`. Empty: the job file's
   * `runtime.priority` (default normal).
   */
  priority?: string;
}

/**
 * Options of a submission.
 */
export interface SubmitOptions__Output {
  /**
   * Discard the state of an earlier run of the same job instead of resuming it.
   */
  fresh: boolean;
  /**
   * The job's priority class on the cluster: `high`, `normal` or `low`. Empty: the job file's
   * `runtime.priority` (default normal).
   */
  priority: string;
}
