// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * A task failed for good; the last event of a failed job.
 */
export interface JobFailed {
  taskId?: string;
  error?: string;
}

/**
 * A task failed for good; the last event of a failed job.
 */
export interface JobFailed__Output {
  taskId: string;
  error: string;
}
