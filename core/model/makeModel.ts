import type * as tf from '@tensorflow/tfjs';
import type { ArtifactStore } from '../artifacts/artifactStore.ts';
import type { LayerSpec } from '../spec/layers.ts';
import type { ModelFile } from '../spec/modelSource.ts';
import { buildModel } from './buildModel.ts';
import { loadModelFile } from './modelFile/loadModelFile.ts';

/** What a member or the student is made from: the job file's layers, or a model file. */
export interface ModelRecipe {
  name: string;
  layers: readonly LayerSpec[];
  model?: ModelFile;
  seed: number;
}

export interface MakeModelOptions {
  /** The run's copy of the recipe's model file (`artifactKeys.memberSource` / `studentSource`). */
  source: string;
  sampleShape: readonly number[];
  classes: number;
  /** False for a pretrained member, which only predicts (its dropout needs no seeded masks). */
  training: boolean;
}

/**
 * The model of a member or the student, outputting logits: built from its layers, or loaded from the
 * run's copy of its model file with that file's weights (`weights: file`) or re-initialised from its seed.
 */
export async function makeModel(
  recipe: ModelRecipe,
  store: ArtifactStore,
  options: MakeModelOptions,
): Promise<tf.LayersModel> {
  if (!recipe.model) {
    return buildModel({
      layers: recipe.layers,
      inputShape: [...options.sampleShape],
      classes: options.classes,
      seed: recipe.seed,
      name: recipe.name,
    });
  }
  const { model } = await loadModelFile(store, {
    prefix: options.source,
    weights: recipe.model.weights,
    seed: recipe.seed,
    training: options.training,
    describe: `${recipe.name}'s model file ${recipe.model.path}`,
  });
  return model;
}
