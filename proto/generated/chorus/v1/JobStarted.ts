// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * The scheduler started (or resumed) the job.
 */
export interface JobStarted {
  /**
   * Tasks in the plan.
   */
  total?: number;
  /**
   * Tasks already done by an earlier run.
   */
  alreadyDone?: number;
}

/**
 * The scheduler started (or resumed) the job.
 */
export interface JobStarted__Output {
  /**
   * Tasks in the plan.
   */
  total: number;
  /**
   * Tasks already done by an earlier run.
   */
  alreadyDone: number;
}
