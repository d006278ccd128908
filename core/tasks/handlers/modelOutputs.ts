import { outputUnits } from '../../spec/jobTask.ts';
import {
  jobTaskOf,
  type ResolvedJob,
  type ResolvedMember,
  type ResolvedStudent,
} from '../../spec/resolvedJob.ts';
import type { RegressionTraining } from '../../train/trainLoop.ts';
import type { PreparedData } from '../taskContext.ts';

/** Values per sample a member or the student outputs: the classes' logits, or its regression head's. */
export function unitsOf(job: ResolvedJob, who: ResolvedMember | ResolvedStudent, data: PreparedData): number {
  return outputUnits(jobTaskOf(job), who.head ?? 'linear', data.classes);
}

/** A regression job's training options for a member or the student (no teacher); undefined in classification. */
export function regressionOf(
  job: ResolvedJob,
  who: ResolvedMember | ResolvedStudent,
): Pick<RegressionTraining, 'head'> | undefined {
  return jobTaskOf(job) === 'regression' ? { head: who.head ?? 'linear' } : undefined;
}
