import { artifactKeys } from '../../core/artifacts/artifactKeys.ts';
import type { ArtifactStore } from '../../core/artifacts/artifactStore.ts';
import { getFloat32 } from '../../core/artifacts/float32.ts';
import { bootstrapRows, outOfBagRows } from '../../core/data/bootstrapRows.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import type { TaskRecord } from '../../core/tasks/taskRecord.ts';
import type { ReportInputs } from './reportInputs.ts';

export interface GatherReportOptions {
  job: ResolvedJob;
  store: ArtifactStore;
  records: Map<string, TaskRecord>;
  counts: ReportInputs['counts'];
  testLabels: Int32Array;
  /** The validation split's labels: needed when the job asks for calibration (`ensemble.calibrate`). */
  validationLabels?: Int32Array;
  /** The training split's labels: the out-of-bag scores of bootstrap members need them. */
  trainLabels?: Int32Array;
  backend: string;
  wallSeconds: number;
  createdAt?: string;
}

/**
 * Reads the test logits the tasks wrote (members, stacking when asked for, every student run) into a
 * `ReportInputs`, and with `ensemble.calibrate` the members' validation logits too (temperature scaling is
 * fitted on them), and bootstrap members' out-of-bag logits (given the training labels). A missing
 * artifact throws ArtifactNotFoundError naming its key.
 */
export async function gatherReportInputs(options: GatherReportOptions): Promise<ReportInputs> {
  const { job, store } = options;
  const memberTestLogits = new Map<string, Float32Array>();
  for (const m of job.members) {
    memberTestLogits.set(m.name, await getFloat32(store, artifactKeys.memberLogits(m.name, 'test')));
  }
  let memberValidationLogits: Map<string, Float32Array> | undefined;
  if (job.ensemble.calibrate) {
    memberValidationLogits = new Map();
    for (const m of job.members) {
      memberValidationLogits.set(
        m.name,
        await getFloat32(store, artifactKeys.memberLogits(m.name, 'validation')),
      );
    }
  }
  const studentTestLogits = new Map<string, Float32Array>();
  for (const run of job.distillation?.runs ?? []) {
    studentTestLogits.set(run.name, await getFloat32(store, artifactKeys.studentLogits(run.name)));
  }
  const stacking = job.ensemble.methods.includes('stacking');
  const stackingTestLogits = stacking ? await getFloat32(store, artifactKeys.stackingLogits()) : undefined;
  const stackingOutOfFoldTestLogits =
    stacking && job.ensemble.stacking.folds !== undefined
      ? await getFloat32(store, artifactKeys.stackingOutOfFoldLogits())
      : undefined;
  const trainLabels = options.trainLabels;
  const outOfBag = trainLabels
    ? {
        trainLabels,
        members: await Promise.all(
          job.members.flatMap((m) => {
            const drawn = bootstrapRows(m, trainLabels.length);
            if (!drawn) return [];
            return [
              getFloat32(store, artifactKeys.memberOutOfBagLogits(m.name)).then((logits) => ({
                name: m.name,
                rows: outOfBagRows(drawn, trainLabels.length),
                logits,
              })),
            ];
          }),
        ),
      }
    : undefined;
  return {
    job,
    backend: options.backend,
    wallSeconds: options.wallSeconds,
    counts: options.counts,
    testLabels: options.testLabels,
    memberTestLogits,
    ...(options.validationLabels ? { validationLabels: options.validationLabels } : {}),
    ...(memberValidationLogits ? { memberValidationLogits } : {}),
    ...(stackingTestLogits ? { stackingTestLogits } : {}),
    ...(stackingOutOfFoldTestLogits ? { stackingOutOfFoldTestLogits } : {}),
    ...(outOfBag && outOfBag.members.length > 0 ? { outOfBag } : {}),
    studentTestLogits,
    records: options.records,
    ...(options.createdAt !== undefined ? { createdAt: options.createdAt } : {}),
  };
}
