// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * What the coordinator made of a submission.
 */
export interface SubmitJobReply {
  /**
   * The job's id (used by every other call).
   */
  jobId?: string;
  /**
   * The job's name from the job file.
   */
  name?: string;
  /**
   * Tasks in the job's plan.
   */
  tasks?: number;
  /**
   * Tasks already done by an earlier run of the same job (0 for a new or `fresh` job).
   */
  alreadyDone?: number;
}

/**
 * What the coordinator made of a submission.
 */
export interface SubmitJobReply__Output {
  /**
   * The job's id (used by every other call).
   */
  jobId: string;
  /**
   * The job's name from the job file.
   */
  name: string;
  /**
   * Tasks in the job's plan.
   */
  tasks: number;
  /**
   * Tasks already done by an earlier run of the same job (0 for a new or `fresh` job).
   */
  alreadyDone: number;
}
