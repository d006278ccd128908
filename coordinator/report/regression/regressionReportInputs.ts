import type { TargetScale } from '../../../core/data/regression/targetScale.ts';
import type { ResolvedJob } from '../../../core/spec/resolvedJob.ts';
import type { TaskRecord } from '../../../core/tasks/taskRecord.ts';

/**
 * Everything `computeRegressionReport` needs, in memory. Outputs are the models' own, row-major
 * [samples, 1] (a linear output) or [samples, 2] (a Gaussian head), on standardised targets; targets
 * are standardised too, and `targetScale` maps both back to the target's units.
 */
export interface RegressionReportInputs {
  job: ResolvedJob;
  backend: string;
  wallSeconds: number;
  counts: { train: number; validation: number; test: number };
  /** Values per sample the models see. */
  features: number;
  targetScale: TargetScale;
  trainTargets: Float32Array;
  validationTargets: Float32Array;
  testTargets: Float32Array;
  /** By member name. */
  memberTestOutputs: Map<string, Float32Array>;
  memberValidationOutputs: Map<string, Float32Array>;
  /** With `ensemble.stacking.folds`: each member's out-of-fold outputs on the training split. */
  memberOutOfFoldOutputs?: Map<string, Float32Array>;
  /** By student run name. */
  studentTestOutputs: Map<string, Float32Array>;
  studentValidationOutputs: Map<string, Float32Array>;
  records: Map<string, TaskRecord>;
  /** ISO 8601; default: now. */
  createdAt?: string;
}
