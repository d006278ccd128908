// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * How many of a job's tasks are in each state.
 */
export interface TaskCounts {
  pending?: number;
  running?: number;
  done?: number;
  failed?: number;
  queued?: number;
}

/**
 * How many of a job's tasks are in each state.
 */
export interface TaskCounts__Output {
  pending: number;
  running: number;
  done: number;
  failed: number;
  queued: number;
}
