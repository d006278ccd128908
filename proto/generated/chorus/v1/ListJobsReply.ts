// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type {
  JobSummary as _chorus_v1_JobSummary,
  JobSummary__Output as _chorus_v1_JobSummary__Output,
} from '../../chorus/v1/JobSummary.ts';

/**
 * Every job, newest submission first.
 */
export interface ListJobsReply {
  jobs?: _chorus_v1_JobSummary[];
}

/**
 * Every job, newest submission first.
 */
export interface ListJobsReply__Output {
  jobs: _chorus_v1_JobSummary__Output[];
}
