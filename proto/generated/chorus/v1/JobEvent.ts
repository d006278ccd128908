// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type {
  JobStarted as _chorus_v1_JobStarted,
  JobStarted__Output as _chorus_v1_JobStarted__Output,
} from '../../chorus/v1/JobStarted.ts';
import type {
  TaskStarted as _chorus_v1_TaskStarted,
  TaskStarted__Output as _chorus_v1_TaskStarted__Output,
} from '../../chorus/v1/TaskStarted.ts';
import type {
  TaskProgressed as _chorus_v1_TaskProgressed,
  TaskProgressed__Output as _chorus_v1_TaskProgressed__Output,
} from '../../chorus/v1/TaskProgressed.ts';
import type {
  TaskDone as _chorus_v1_TaskDone,
  TaskDone__Output as _chorus_v1_TaskDone__Output,
} from '../../chorus/v1/TaskDone.ts';
import type {
  TaskFailed as _chorus_v1_TaskFailed,
  TaskFailed__Output as _chorus_v1_TaskFailed__Output,
} from '../../chorus/v1/TaskFailed.ts';
import type {
  JobDone as _chorus_v1_JobDone,
  JobDone__Output as _chorus_v1_JobDone__Output,
} from '../../chorus/v1/JobDone.ts';
import type {
  JobFailed as _chorus_v1_JobFailed,
  JobFailed__Output as _chorus_v1_JobFailed__Output,
} from '../../chorus/v1/JobFailed.ts';
import type {
  JobInterrupted as _chorus_v1_JobInterrupted,
  JobInterrupted__Output as _chorus_v1_JobInterrupted__Output,
} from '../../chorus/v1/JobInterrupted.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * One event of a running job: the scheduler's events (core/tasks/schedulerEvent.ts), one per message.
 */
export interface JobEvent {
  /**
   * The job it belongs to.
   */
  jobId?: string;
  /**
   * When it happened.
   */
  timeMs?: number | string | Long;
  jobStarted?: _chorus_v1_JobStarted | null;
  taskStarted?: _chorus_v1_TaskStarted | null;
  taskProgress?: _chorus_v1_TaskProgressed | null;
  taskDone?: _chorus_v1_TaskDone | null;
  taskFailed?: _chorus_v1_TaskFailed | null;
  jobDone?: _chorus_v1_JobDone | null;
  jobFailed?: _chorus_v1_JobFailed | null;
  jobInterrupted?: _chorus_v1_JobInterrupted | null;
  /**
   * What happened.
   */
  event?:
    | 'jobStarted'
    | 'taskStarted'
    | 'taskProgress'
    | 'taskDone'
    | 'taskFailed'
    | 'jobDone'
    | 'jobFailed'
    | 'jobInterrupted';
}

/**
 * One event of a running job: the scheduler's events (core/tasks/schedulerEvent.ts), one per message.
 */
export interface JobEvent__Output {
  /**
   * The job it belongs to.
   */
  jobId: string;
  /**
   * When it happened.
   */
  timeMs: number;
  jobStarted?: _chorus_v1_JobStarted__Output | null;
  taskStarted?: _chorus_v1_TaskStarted__Output | null;
  taskProgress?: _chorus_v1_TaskProgressed__Output | null;
  taskDone?: _chorus_v1_TaskDone__Output | null;
  taskFailed?: _chorus_v1_TaskFailed__Output | null;
  jobDone?: _chorus_v1_JobDone__Output | null;
  jobFailed?: _chorus_v1_JobFailed__Output | null;
  jobInterrupted?: _chorus_v1_JobInterrupted__Output | null;
  /**
   * What happened.
   */
  event?:
    | 'jobStarted'
    | 'taskStarted'
    | 'taskProgress'
    | 'taskDone'
    | 'taskFailed'
    | 'jobDone'
    | 'jobFailed'
    | 'jobInterrupted';
}
