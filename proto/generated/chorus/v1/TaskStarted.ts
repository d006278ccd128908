// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * A task attempt was dispatched.
 */
export interface TaskStarted {
  taskId?: string;
  /**
   * 1 for the first attempt.
   */
  attempt?: number;
}

/**
 * A task attempt was dispatched.
 */
export interface TaskStarted__Output {
  taskId: string;
  /**
   * 1 for the first attempt.
   */
  attempt: number;
}
