// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type {
  JobSummary as _chorus_v1_JobSummary,
  JobSummary__Output as _chorus_v1_JobSummary__Output,
} from '../../chorus/v1/JobSummary.ts';

/**
 * The job after the cancel request (a job that had already ended keeps its state).
 */
export interface CancelJobReply {
  job?: _chorus_v1_JobSummary | null;
}

/**
 * The job after the cancel request (a job that had already ended keeps its state).
 */
export interface CancelJobReply__Output {
  job: _chorus_v1_JobSummary__Output | null;
}
