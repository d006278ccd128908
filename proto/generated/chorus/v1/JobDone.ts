// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * Every task is done; the last event of a successful job.
 */
export interface JobDone {
  /**
   * Wall-clock seconds of the run.
   */
  seconds?: number | string;
}

/**
 * Every task is done; the last event of a successful job.
 */
export interface JobDone__Output {
  /**
   * Wall-clock seconds of the run.
   */
  seconds: number;
}
