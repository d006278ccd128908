// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * Asks to cancel a job.
 */
export interface CancelJobRequest {
  /**
   * The job's id.
   */
  jobId?: string;
}

/**
 * Asks to cancel a job.
 */
export interface CancelJobRequest__Output {
  /**
   * The job's id.
   */
  jobId: string;
}
