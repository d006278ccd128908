// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type {
  WorkerStatus as _chorus_v1_WorkerStatus,
  WorkerStatus__Output as _chorus_v1_WorkerStatus__Output,
} from '../../chorus/v1/WorkerStatus.ts';

/**
 * The live workers.
 */
export interface ListWorkersReply {
  workers?: _chorus_v1_WorkerStatus[];
}

/**
 * The live workers.
 */
export interface ListWorkersReply__Output {
  workers: _chorus_v1_WorkerStatus__Output[];
}
