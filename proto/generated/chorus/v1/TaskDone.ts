// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * A task finished.
 */
export interface TaskDone {
  taskId?: string;
  /**
   * Its TaskResult (core/tasks/taskResult.ts) as JSON.
   */
  resultJson?: string;
  /**
   * Seconds its last attempt took.
   */
  seconds?: number | string;
}

/**
 * A task finished.
 */
export interface TaskDone__Output {
  taskId: string;
  /**
   * Its TaskResult (core/tasks/taskResult.ts) as JSON.
   */
  resultJson: string;
  /**
   * Seconds its last attempt took.
   */
  seconds: number;
}
