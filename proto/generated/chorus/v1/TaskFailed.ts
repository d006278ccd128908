// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * A task attempt failed.
 */
export interface TaskFailed {
  taskId?: string;
  attempt?: number;
  /**
   * `name: message`.
   */
  error?: string;
  /**
   * Whether the scheduler will try again.
   */
  willRetry?: boolean;
}

/**
 * A task attempt failed.
 */
export interface TaskFailed__Output {
  taskId: string;
  attempt: number;
  /**
   * `name: message`.
   */
  error: string;
  /**
   * Whether the scheduler will try again.
   */
  willRetry: boolean;
}
