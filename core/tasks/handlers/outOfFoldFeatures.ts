import { artifactKeys } from '../../artifacts/artifactKeys.ts';
import { getFloat32 } from '../../artifacts/float32.ts';
import { assembleOutOfFold, foldAssignment } from '../../ensemble/outOfFold/folds.ts';
import { foldAssignmentSeed } from '../../ensemble/outOfFold/foldSeeds.ts';
import type { ArtifactStore } from '../../artifacts/artifactStore.ts';
import type { ResolvedJob } from '../../spec/resolvedJob.ts';

/**
 * Each member's out-of-fold outputs on the whole training split, [trainCount, width]: what the member,
 * trained without a row's fold, predicted for that row (from the fold tasks' predictions).
 */
export async function outOfFoldOutputs(
  job: ResolvedJob,
  store: ArtifactStore,
  trainCount: number,
  widthOf: (member: string) => number,
): Promise<Map<string, Float32Array>> {
  const folds = job.ensemble.stacking.folds;
  if (folds === undefined) throw new Error('outOfFoldOutputs: the job has no ensemble.stacking.folds');
  const assignment = foldAssignment(trainCount, folds, foldAssignmentSeed(job.seed));
  const out = new Map<string, Float32Array>();
  for (const m of job.members) {
    const parts: Float32Array[] = [];
    for (let f = 0; f < folds; f++) parts.push(await getFloat32(store, artifactKeys.foldLogits(m.name, f)));
    out.set(m.name, assembleOutOfFold(assignment, parts, widthOf(m.name)));
  }
  return out;
}
