// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * The job was stopped (cancelled, or the coordinator shut down); the last event. It can be resumed.
 */
export interface JobInterrupted {}

/**
 * The job was stopped (cancelled, or the coordinator shut down); the last event. It can be resumed.
 */
export interface JobInterrupted__Output {}
