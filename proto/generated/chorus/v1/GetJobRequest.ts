// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * Asks for one job.
 */
export interface GetJobRequest {
  /**
   * The job's id.
   */
  jobId?: string;
}

/**
 * Asks for one job.
 */
export interface GetJobRequest__Output {
  /**
   * The job's id.
   */
  jobId: string;
}
