// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx coordinator/grpc/generateProtoTypes.ts
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
