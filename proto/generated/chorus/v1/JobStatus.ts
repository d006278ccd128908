// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type {
  JobSummary as _chorus_v1_JobSummary,
  JobSummary__Output as _chorus_v1_JobSummary__Output,
} from '../../chorus/v1/JobSummary.ts';
import type {
  TaskStatus as _chorus_v1_TaskStatus,
  TaskStatus__Output as _chorus_v1_TaskStatus__Output,
} from '../../chorus/v1/TaskStatus.ts';

/**
 * A job and all its tasks.
 */
export interface JobStatus {
  /**
   * The job.
   */
  job?: _chorus_v1_JobSummary | null;
  /**
   * Every task in plan order.
   */
  tasks?: _chorus_v1_TaskStatus[];
}

/**
 * A job and all its tasks.
 */
export interface JobStatus__Output {
  /**
   * The job.
   */
  job: _chorus_v1_JobSummary__Output | null;
  /**
   * Every task in plan order.
   */
  tasks: _chorus_v1_TaskStatus__Output[];
}
