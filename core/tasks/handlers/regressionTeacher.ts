import { artifactKeys } from '../../artifacts/artifactKeys.ts';
import { getFloat32 } from '../../artifacts/float32.ts';
import { shardRanges } from '../../data/split.ts';
import { mixture } from '../../ensemble/regression/mixture.ts';
import { predictiveOf } from '../../ensemble/regression/predictive.ts';
import { ChorusError } from '../../errors.ts';
import type { ResolvedJob } from '../../spec/resolvedJob.ts';
import { teacherOf } from '../../spec/teacherOf.ts';
import type { RegressionTraining } from '../../train/trainLoop.ts';
import type { PreparedData, TaskContext } from '../taskContext.ts';
import { unitsOf } from './modelOutputs.ts';

/**
 * A regression teacher's targets for every row of the training split, in standardised units: the
 * weighted mixture of the teacher members' predictive distributions (their soft-label shards), its
 * mean, and its total variance when every teacher member has a Gaussian head.
 */
export async function regressionTeacherTargets(
  job: ResolvedJob,
  data: PreparedData,
  ctx: TaskContext,
): Promise<Omit<NonNullable<RegressionTraining['teacher']>, 'alpha'>> {
  const { members, weights } = teacherOf(job);
  const units = members.map((m) => unitsOf(job, m, data) as 1 | 2);
  const n = data.train.count;
  const mean = new Float32Array(n);
  const variance = units.every((u) => u === 2) ? new Float32Array(n) : undefined;
  for (const range of shardRanges(n, job.distillation?.shards ?? 1)) {
    const outputs = await getFloat32(ctx.artifacts, artifactKeys.softLabels(range.shard));
    const rows = range.end - range.start;
    const expected = units.reduce((a, u) => a + u * rows, 0);
    if (outputs.length !== expected) {
      throw new ChorusError(
        `soft labels of shard ${range.shard} hold ${outputs.length} values, expected ${expected}`,
      );
    }
    let offset = 0;
    const predictives = units.map((u) => {
      const block = outputs.subarray(offset, offset + u * rows);
      offset += u * rows;
      return predictiveOf(block, u);
    });
    const teacher = mixture(predictives, weights);
    mean.set(teacher.mean, range.start);
    if (variance && teacher.variance) variance.set(teacher.variance, range.start);
  }
  return { mean, ...(variance ? { variance } : {}) };
}
