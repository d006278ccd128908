// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * Asks for a done job's files.
 */
export interface GetArtifactsRequest {
  /**
   * The job's id.
   */
  jobId?: string;
  /**
   * Describe the files only, without their bytes (a client skips those it already has whole).
   */
  listOnly?: boolean;
  /**
   * The files to send, by path as listed; empty: every file.
   */
  paths?: string[];
}

/**
 * Asks for a done job's files.
 */
export interface GetArtifactsRequest__Output {
  /**
   * The job's id.
   */
  jobId: string;
  /**
   * Describe the files only, without their bytes (a client skips those it already has whole).
   */
  listOnly: boolean;
  /**
   * The files to send, by path as listed; empty: every file.
   */
  paths: string[];
}
