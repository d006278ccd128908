/**
 * The units of work a job is planned into. Tasks are plain JSON (they cross thread and process
 * boundaries) tagged by `type`; everything else a handler needs comes from its TaskContext.
 */

export type TaskType = 'train' | 'predict' | 'stack' | 'soft-labels' | 'distill' | 'report';

interface TaskCommon {
  /** Unique within a job, stable across runs (resume matches on it), e.g. `train:mlp-0`. */
  id: string;
  /** Ids of the tasks whose outputs this one reads. */
  deps: string[];
}

/** Train one ensemble member; checkpoints every epoch so a retry resumes. */
export interface TrainTask extends TaskCommon {
  type: 'train';
  member: string;
}

/** Write a trained member's logits on the validation and test splits. */
export interface PredictTask extends TaskCommon {
  type: 'predict';
  member: string;
}

/** Train the stacking combiner on members' validation outputs; write its test logits. */
export interface StackTask extends TaskCommon {
  type: 'stack';
}

/** Write every teacher member's logits for one contiguous shard of the training split. */
export interface SoftLabelsTask extends TaskCommon {
  type: 'soft-labels';
  shard: number;
  shards: number;
}

/** Train one student (distilled at a temperature/alpha, or the hard-label baseline). */
export interface DistillTask extends TaskCommon {
  type: 'distill';
  /** A `StudentRun` name from the resolved job. */
  student: string;
}

/** Aggregate everything and write the report; runs on the coordinator, not in the pool. */
export interface ReportTask extends TaskCommon {
  type: 'report';
}

export type Task = TrainTask | PredictTask | StackTask | SoftLabelsTask | DistillTask | ReportTask;
/** Tasks that run in a worker thread (the report runs where the scheduler is). */
export type PoolTask = Exclude<Task, ReportTask>;
