// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type {
  TaskProgress as _chorus_v1_TaskProgress,
  TaskProgress__Output as _chorus_v1_TaskProgress__Output,
} from '../../chorus/v1/TaskProgress.ts';

/**
 * A running task reported progress (often: per batch).
 */
export interface TaskProgressed {
  taskId?: string;
  progress?: _chorus_v1_TaskProgress | null;
}

/**
 * A running task reported progress (often: per batch).
 */
export interface TaskProgressed__Output {
  taskId: string;
  progress: _chorus_v1_TaskProgress__Output | null;
}
