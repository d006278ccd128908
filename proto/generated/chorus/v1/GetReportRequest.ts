// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * Asks for a job's report.
 */
export interface GetReportRequest {
  /**
   * The job's id.
   */
  jobId?: string;
}

/**
 * Asks for a job's report.
 */
export interface GetReportRequest__Output {
  /**
   * The job's id.
   */
  jobId: string;
}
