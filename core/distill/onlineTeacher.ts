import * as tf from '@tensorflow/tfjs';
import { artifactKeys } from '../artifacts/artifactKeys.ts';
import type { ArtifactStore } from '../artifacts/artifactStore.ts';
import { loadModelFromStore } from '../artifacts/modelIO.ts';
import { teacherSoftTargets, type SoftTargetMode } from '../ensemble/softTargets.ts';
import type { ResolvedMember } from '../spec/resolvedJob.ts';
import type { OnlineTeacher } from '../train/trainLoop.ts';

/**
 * The teacher members loaded once into a student's task, run on every batch the student trains on (the
 * same, possibly augmented, view: Beyer et al. 2022, "a good teacher is patient and consistent"). Their
 * logits become soft targets exactly as the offline soft labels do (`teacherSoftTargets`), so without
 * augmentation the targets equal the offline ones.
 */
export class OnlineTeacherModels {
  private constructor(
    private readonly models: tf.LayersModel[],
    private readonly weights: readonly number[],
    private readonly sampleShape: readonly number[],
    private readonly classes: number,
    private readonly mode: SoftTargetMode,
  ) {}

  static async load(
    store: ArtifactStore,
    members: readonly ResolvedMember[],
    weights: readonly number[],
    sampleShape: readonly number[],
    classes: number,
    mode: SoftTargetMode,
  ): Promise<OnlineTeacherModels> {
    const models: tf.LayersModel[] = [];
    try {
      for (const m of members) models.push(await loadModelFromStore(store, artifactKeys.memberModel(m.name)));
    } catch (err) {
      for (const model of models) model.dispose();
      throw err;
    }
    return new OnlineTeacherModels(models, weights, sampleShape, classes, mode);
  }

  /** The soft targets at `temperature` as the training loop asks for them. */
  targetsAt(temperature: number): OnlineTeacher {
    const size = this.sampleShape.reduce((a, b) => a * b, 1);
    return (x, count) => {
      const logits = tf.tidy(() => {
        const xs = tf.tensor(x.subarray(0, count * size), [count, ...this.sampleShape]);
        return this.models.map((model) => model.predictOnBatch(xs) as tf.Tensor);
      });
      const values = logits.map((t) => t.dataSync<'float32'>());
      tf.dispose(logits);
      return teacherSoftTargets(values, this.classes, temperature, this.mode, this.weights);
    };
  }

  dispose(): void {
    for (const model of this.models) model.dispose();
  }
}
