import { artifactKeys } from '../../../core/artifacts/artifactKeys.ts';
import type { ArtifactStore } from '../../../core/artifacts/artifactStore.ts';
import { getFloat32 } from '../../../core/artifacts/float32.ts';
import { NonRetryableError } from '../../../core/errors.ts';
import type { ResolvedJob } from '../../../core/spec/resolvedJob.ts';
import { outOfFoldOutputs } from '../../../core/tasks/handlers/outOfFoldFeatures.ts';
import type { PreparedData } from '../../../core/tasks/taskContext.ts';
import type { TaskRecord } from '../../../core/tasks/taskRecord.ts';
import type { RegressionReportInputs } from './regressionReportInputs.ts';

export interface GatherRegressionOptions {
  job: ResolvedJob;
  store: ArtifactStore;
  records: Map<string, TaskRecord>;
  data: PreparedData;
  backend: string;
  wallSeconds: number;
  createdAt?: string;
}

/**
 * Reads what a regression job's tasks wrote: every member's test and validation outputs, every
 * student's, and with `ensemble.stacking.folds` the members' out-of-fold outputs (from the fold tasks).
 * A missing artifact throws ArtifactNotFoundError naming its key.
 */
export async function gatherRegressionInputs(o: GatherRegressionOptions): Promise<RegressionReportInputs> {
  const { job, store, data } = o;
  const targetScale = data.targetScale;
  const targets = (split: 'train' | 'validation' | 'test') => data[split].targets;
  const trainTargets = targets('train');
  const validationTargets = targets('validation');
  const testTargets = targets('test');
  if (!targetScale || !trainTargets || !validationTargets || !testTargets) {
    throw new NonRetryableError('report: a regression job’s data has no targets');
  }
  const read = async (keys: [string, string][]) =>
    new Map(
      await Promise.all(keys.map(async ([name, key]) => [name, await getFloat32(store, key)] as const)),
    );
  const memberTestOutputs = await read(
    job.members.map((m) => [m.name, artifactKeys.memberLogits(m.name, 'test')]),
  );
  const memberValidationOutputs = await read(
    job.members.map((m) => [m.name, artifactKeys.memberLogits(m.name, 'validation')]),
  );
  const runs = job.distillation?.runs ?? [];
  const studentTestOutputs = await read(runs.map((run) => [run.name, artifactKeys.studentLogits(run.name)]));
  const studentValidationOutputs = await read(
    runs.map((run) => [run.name, artifactKeys.studentValidationLogits(run.name)]),
  );
  const memberOutOfFoldOutputs =
    job.ensemble.methods.includes('stacking') && job.ensemble.stacking.folds !== undefined
      ? await outOfFoldOutputs(job, store, data.train.count, (name) => {
          const member = job.members.find((m) => m.name === name);
          return member?.head === 'gaussian' ? 2 : 1;
        })
      : undefined;
  return {
    job,
    backend: o.backend,
    wallSeconds: o.wallSeconds,
    counts: { train: data.train.count, validation: data.validation.count, test: data.test.count },
    features: data.sampleShape.reduce((a, b) => a * b, 1),
    targetScale,
    trainTargets,
    validationTargets,
    testTargets,
    memberTestOutputs,
    memberValidationOutputs,
    ...(memberOutOfFoldOutputs ? { memberOutOfFoldOutputs } : {}),
    studentTestOutputs,
    studentValidationOutputs,
    records: o.records,
    ...(o.createdAt !== undefined ? { createdAt: o.createdAt } : {}),
  };
}
