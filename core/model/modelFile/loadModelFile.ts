import * as tf from '@tensorflow/tfjs';
import type { ArtifactStore } from '../../artifacts/artifactStore.ts';
import { MODEL_JSON, storeLoadHandler } from '../../artifacts/modelIO.ts';
import { deriveSeed } from '../../data/random.ts';
import { ArtifactNotFoundError, ModelFileError } from '../../errors.ts';
import type { ModelFile } from '../../spec/modelSource.ts';
import { seedDropoutMasks } from '../seededDropout.ts';
import { copyJson, modelConfigOf, type Json } from './kerasTopology.ts';
import { makeLogitsOutput } from './logitsOutput.ts';
import { parseModelFile, type Fail } from './modelFileManifest.ts';
import { seedInitializers } from './seedInitializers.ts';
import { unseededNoiseLayers, unsupportedLayers } from './unsupportedLayers.ts';

export interface LoadModelFileOptions {
  /** The store folder holding the run's copy of the file: model.json and its weights files. */
  prefix: string;
  weights: ModelFile['weights'];
  /** Seeds the initializers (`weights: random`) and the dropout masks. */
  seed: number;
  /**
   * The model is going to be trained: its Dropout layers get seeded masks, and a layer that draws other
   * unseeded noise while training is refused (it would make the run irreproducible).
   */
  training: boolean;
  /** How messages name the file, e.g. `member "ext" (models/ext/model.json)`. */
  describe: string;
}

export interface LoadedModelFile {
  /** The model, outputting logits. */
  model: tf.LayersModel;
  /** How its softmax output was made logits, when it had one. */
  readThrough?: string;
}

const DROPOUT_SALT = 0xd0;

/**
 * Builds the model a job's model file describes, as Chorus uses it: outputting logits (a final softmax
 * read through, see logitsOutput.ts), with the file's weights or re-initialised from `seed`. Every
 * problem is a ModelFileError naming the file: layer classes tfjs cannot build, an output that is not
 * logits or softmax, weights that do not fit the topology.
 */
export async function loadModelFile(
  store: ArtifactStore,
  options: LoadModelFileOptions,
): Promise<LoadedModelFile> {
  const jsonKey = `${options.prefix}/${MODEL_JSON}`;
  const fail: Fail = (problem, cause) =>
    new ModelFileError(jsonKey, problem, { cause, shownAs: options.describe });
  let bytes: Uint8Array;
  try {
    bytes = await store.get(jsonKey);
  } catch (err) {
    if (!(err instanceof ArtifactNotFoundError)) throw err;
    throw fail(
      `the run holds no copy of it (${jsonKey}): chorus run and chorus submit store model files with the job before its tasks run`,
      err,
    );
  }
  const topology = copyJson(parseModelFile(bytes, fail).modelTopology) as Json;
  const model = modelConfigOf(topology) as Json;

  const unsupported = unsupportedLayers(model);
  if (unsupported.length > 0) {
    throw fail(
      `tfjs cannot build its layer class${unsupported.length === 1 ? '' : 'es'} ${unsupported.join(', ')}: ` +
        'custom layers (and Lambda layers) are not supported, only the layers tfjs-layers implements',
    );
  }
  if (options.training) {
    const noisy = unseededNoiseLayers(model);
    if (noisy.length > 0) {
      throw fail(
        `${noisy.join(', ')} draw${noisy.length === 1 ? 's' : ''} unseeded random numbers while training, which would make the run irreproducible; ` +
          'remove it, or use the model pretrained (train: false)',
      );
    }
  }
  const logits = makeLogitsOutput(model);
  if ('problem' in logits) throw fail(logits.problem);
  if (options.weights === 'random') seedInitializers(model, options.seed);

  const weights =
    options.weights === 'file' ? await storeLoadHandler(store, options.prefix).load() : undefined;
  let built: tf.LayersModel;
  try {
    built = await tf.loadLayersModel({
      load: () =>
        Promise.resolve({
          modelTopology: topology,
          ...(weights?.weightSpecs ? { weightSpecs: weights.weightSpecs } : {}),
          ...(weights?.weightData ? { weightData: weights.weightData } : {}),
        }),
    });
  } catch (err) {
    throw fail(`tfjs cannot build it${weights ? ' with its weights' : ''}: ${firstLine(err)}`, err);
  }
  if (options.training) seedDropout(built, options.seed);
  return { model: built, ...(logits.readThrough ? { readThrough: logits.readThrough } : {}) };
}

/** Gives every Dropout layer (nested models' too) training masks from (seed, its position, step). */
function seedDropout(model: tf.LayersModel, seed: number): void {
  let position = 0;
  const visit = (layers: readonly tf.layers.Layer[]): void => {
    for (const layer of layers) {
      if (layer instanceof tf.LayersModel) visit(layer.layers);
      else if (layer.getClassName() === 'Dropout') {
        const rate = Number(layer.getConfig()['rate'] ?? 0);
        seedDropoutMasks(layer, rate, deriveSeed(seed, DROPOUT_SALT, position++));
      }
    }
  };
  visit(model.layers);
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}
