// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * Asks for a job's events.
 */
export interface WatchJobRequest {
  /**
   * The job's id.
   */
  jobId?: string;
}

/**
 * Asks for a job's events.
 */
export interface WatchJobRequest__Output {
  /**
   * The job's id.
   */
  jobId: string;
}
