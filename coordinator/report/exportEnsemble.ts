import type * as tf from '@tensorflow/tfjs';
import { artifactKeys } from '../../core/artifacts/artifactKeys.ts';
import type { ArtifactStore } from '../../core/artifacts/artifactStore.ts';
import { getFloat32 } from '../../core/artifacts/float32.ts';
import { loadModelFromStore, saveModelToStore } from '../../core/artifacts/modelIO.ts';
import { NonRetryableError } from '../../core/errors.ts';
import { buildAveragingEnsemble } from '../../core/model/averagingEnsemble.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import { fitEnsembleTemperature } from './ensembleTemperature.ts';
import { teacherWeights } from './teacherWeights.ts';

export interface ExportEnsembleOptions {
  /** The validation split's labels: needed when the job asks for calibration (`ensemble.calibrate`). */
  validationLabels?: Int32Array;
  /** Awaited before each model load, the build and the save (see ProduceReportOptions.yieldTurn). */
  yieldTurn?: () => Promise<void>;
}

export interface ExportedEnsemble {
  /** The temperature the model applies after averaging, when the job asked for calibration. */
  calibrationTemperature?: number;
}

/**
 * Saves the teacher as ONE tfjs model under `artifactKeys.ensembleModel()`: the teacher members combined
 * with their voting weights, the way the soft targets combine them (mean of probabilities, or softmax of
 * the mean logits). It outputs probabilities and loads with a plain `tf.loadLayersModel`.
 * With `ensemble.calibrate`, T is fitted on the teacher's validation outputs (the members' stored
 * validation logits and `options.validationLabels`) and the model outputs softmax(log(p) / T); T is also
 * in model.json's `userDefinedMetadata.chorus.calibrationTemperature`.
 * Needs a ready tfjs backend; every model it loads or builds is disposed before it returns.
 */
export async function exportEnsembleModel(
  job: ResolvedJob,
  store: ArtifactStore,
  options: ExportEnsembleOptions = {},
): Promise<ExportedEnsemble> {
  const { members, weights } = teacherWeights(job);
  const average = job.teacher.softTargets;
  let calibrationTemperature: number | undefined;
  if (job.ensemble.calibrate) {
    const labels = options.validationLabels;
    if (labels === undefined || labels.length === 0) {
      throw new NonRetryableError(
        'ensemble export: ensemble.calibrate needs the validation labels (and a validation split)',
      );
    }
    const logits: Float32Array[] = [];
    for (const name of members) {
      logits.push(await getFloat32(store, artifactKeys.memberLogits(name, 'validation')));
    }
    const length = logits[0]?.length ?? 0;
    if (length % labels.length !== 0 || logits.some((t) => t.length !== length)) {
      throw new NonRetryableError(
        `ensemble export: the teacher members' validation logits (${logits.map((t) => t.length).join(', ')} values) ` +
          `are not [${labels.length}, classes]`,
      );
    }
    calibrationTemperature = fitEnsembleTemperature(logits, labels, length / labels.length, weights, average);
  }

  const yieldTurn = options.yieldTurn ?? (() => Promise.resolve());
  const loaded: tf.LayersModel[] = [];
  let ensemble: tf.LayersModel | undefined;
  try {
    for (const name of members) {
      await yieldTurn();
      loaded.push(await loadModelFromStore(store, artifactKeys.memberModel(name)));
    }
    await yieldTurn();
    ensemble = buildAveragingEnsemble(loaded, {
      weights,
      average,
      name: 'ensemble',
      ...(calibrationTemperature !== undefined ? { calibrationTemperature } : {}),
    });
    await yieldTurn();
    await saveModelToStore(ensemble, store, artifactKeys.ensembleModel());
  } finally {
    ensemble?.dispose();
    for (const m of loaded) m.dispose();
  }
  return calibrationTemperature !== undefined ? { calibrationTemperature } : {};
}
