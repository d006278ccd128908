import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import type { TaskRecord } from '../../core/tasks/taskRecord.ts';

/** Everything `computeReport` needs, already in memory (see gatherReportInputs for reading it from a store). */
export interface ReportInputs {
  job: ResolvedJob;
  /** The tfjs backend the tasks ran on. */
  backend: string;
  wallSeconds: number;
  counts: { train: number; validation: number; test: number; classes: number };
  /** The test split's labels, length `counts.test`. */
  testLabels: Int32Array;
  /** Each member's test logits, row-major [test, classes], keyed by member name. */
  memberTestLogits: Map<string, Float32Array>;
  /** The validation split's labels, length `counts.validation`; required when `job.ensemble.calibrate`. */
  validationLabels?: Int32Array;
  /** Each member's validation logits, keyed by member name; required when `job.ensemble.calibrate`. */
  memberValidationLogits?: Map<string, Float32Array>;
  /** The stacking combiner's test logits; required when `stacking` is among the job's methods. */
  stackingTestLogits?: Float32Array;
  /** The out-of-fold combiner's test logits; required with `ensemble.stacking.folds`. */
  stackingOutOfFoldTestLogits?: Float32Array;
  /** Bootstrap members' logits on their out-of-bag rows, and the training split's labels. */
  outOfBag?: {
    members: { name: string; rows: Int32Array; logits: Float32Array }[];
    trainLabels: Int32Array;
  };
  /** Each student run's test logits, keyed by run name. */
  studentTestLogits: Map<string, Float32Array>;
  /** Task records by task id (`train:<member>`, `distill:<run>`, `stack`, …), for timings and histories. */
  records: Map<string, TaskRecord>;
  /** ISO 8601; default: now. */
  createdAt?: string;
}
