// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * Asks for every job.
 */
export interface ListJobsRequest {}

/**
 * Asks for every job.
 */
export interface ListJobsRequest__Output {}
