import type * as tf from '@tensorflow/tfjs';
import { artifactKeys } from '../../core/artifacts/artifactKeys.ts';
import type { ArtifactStore } from '../../core/artifacts/artifactStore.ts';
import { loadModelFromStore, saveModelToStore } from '../../core/artifacts/modelIO.ts';
import { buildAveragingEnsemble } from '../../core/model/averagingEnsemble.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import { teacherWeights } from './teacherWeights.ts';

/**
 * Saves the teacher as ONE tfjs model under `artifactKeys.ensembleModel()`: the teacher members combined
 * with their voting weights, the way the soft targets combine them (mean of probabilities, or softmax of
 * the mean logits). It outputs probabilities and loads with a plain `tf.loadLayersModel`.
 * Needs a ready tfjs backend; every model it loads or builds is disposed before it returns.
 */
export async function exportEnsembleModel(job: ResolvedJob, store: ArtifactStore): Promise<void> {
  const { members, weights } = teacherWeights(job);
  const loaded: tf.LayersModel[] = [];
  let ensemble: tf.LayersModel | undefined;
  try {
    for (const name of members) loaded.push(await loadModelFromStore(store, artifactKeys.memberModel(name)));
    ensemble = buildAveragingEnsemble(loaded, {
      weights,
      average: job.teacher.softTargets,
      name: 'ensemble',
    });
    await saveModelToStore(ensemble, store, artifactKeys.ensembleModel());
  } finally {
    ensemble?.dispose();
    for (const m of loaded) m.dispose();
  }
}
