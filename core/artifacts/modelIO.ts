import { posix } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ArtifactNotFoundError, ModelFileError } from '../errors.ts';
import type { ArtifactStore } from './artifactStore.ts';
import { expectedWeightBytes, isInsideModelFolder, parseModelJSON } from './modelJson.ts';

/**
 * tfjs IOHandlers over an ArtifactStore: a model under `prefix` is `prefix/model.json` (modelTopology +
 * weightsManifest, the keys tfjs's own handlers write) and `prefix/weights.bin`, whichever store holds
 * it. On a filesystem store that folder is exactly what tfjs-node's `file://` handler and a browser's
 * `tf.loadLayersModel(url)` read. This is the one model-IO path: `core/model/fileIO.ts` wraps it for
 * plain folders.
 *
 * Crash safety: the old model.json is removed first, the weights written, and model.json written last
 * (each `put` is atomic). At every instant the prefix holds a complete model or no model.json, never a
 * model.json that points at weights it was not written with. Loading also checks the weights' byte
 * count against the manifest, so a torn or mismatched save is an error, not garbage weights.
 */

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

export interface ModelIOOptions {
  /** How a key is named in error messages, e.g. as an absolute file path. Default: the key itself. */
  describeKey?: (key: string) => string;
}

export interface ModelLoadOptions extends ModelIOOptions {
  /** The model.json file name inside the prefix, for models saved under another name. */
  modelJson?: string;
}

export function storeSaveHandler(
  store: ArtifactStore,
  prefix: string,
  options: ModelIOOptions = {},
): tf.io.IOHandler {
  const describe = options.describeKey ?? ((key: string) => key);
  const jsonKey = joinKey(prefix, MODEL_JSON);
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new ModelFileError(
          jsonKey,
          'binary model topologies (GraphDef) cannot be saved as model.json',
          {
            shownAs: describe(jsonKey),
          },
        );
      }
      const json = toModelJSON(artifacts, [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }]);
      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
      // Removed first, written last: model.json never meets weights it was not written with
      // (a crash in between leaves "no model", which rerunning the task repairs).
      await store.delete(jsonKey);
      await store.put(joinKey(prefix, WEIGHTS_BIN), new Uint8Array(weights));
      await store.put(jsonKey, new TextEncoder().encode(JSON.stringify(json)));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/**
 * Reads a model in the standard layout. Weights may be sharded (`group1-shard1of2.bin`, ...) as the
 * tfjs converter writes them, and may sit in subfolders, but every path must stay inside the prefix.
 * A missing model.json is an ArtifactNotFoundError; anything wrong with a model that is there is a
 * ModelFileError naming the key (and the field) at fault.
 */
export function storeLoadHandler(
  store: ArtifactStore,
  prefix: string,
  options: ModelLoadOptions = {},
): tf.io.IOHandler & Required<Pick<tf.io.IOHandler, 'load'>> {
  const describe = options.describeKey ?? ((key: string) => key);
  const jsonName = options.modelJson ?? MODEL_JSON;
  if (jsonName === '' || jsonName.includes('/') || jsonName.includes('\\')) {
    throw new ModelFileError(jsonName, 'the model.json name must be a plain file name');
  }
  const jsonKey = joinKey(prefix, jsonName);
  const fail = (problem: string, cause?: unknown): ModelFileError =>
    new ModelFileError(jsonKey, problem, { shownAs: describe(jsonKey), cause });
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const json = parseModelJSON(await store.get(jsonKey), fail);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        manifest.forEach((group, g) =>
          group.paths.forEach((path, p) => {
            if (!isInsideModelFolder(path)) {
              throw fail(
                `weights path ${JSON.stringify(path)} (weightsManifest[${g}].paths[${p}]) points outside the model folder`,
              );
            }
          }),
        );
        for (const group of manifest) {
          for (const path of group.paths) {
            const key = joinKey(prefix, posix.normalize(path));
            let bytes: Uint8Array;
            try {
              bytes = await store.get(key);
            } catch (err) {
              if (!(err instanceof ArtifactNotFoundError)) throw err;
              throw new ModelFileError(key, `weights file listed in ${describe(jsonKey)} is missing`, {
                shownAs: describe(key),
                cause: err,
              });
            }
            buffers.push(bytes.slice().buffer);
          }
        }
        const specs = tf.io.getWeightSpecs(manifest);
        const data = tf.io.CompositeArrayBuffer.join(buffers);
        const expected = expectedWeightBytes(specs);
        if (expected !== undefined && expected !== data.byteLength) {
          throw fail(
            `weights hold ${data.byteLength} bytes but the weightsManifest describes ${expected}; the model was not saved completely`,
          );
        }
        return [specs, data];
      });
    },
  };
}

export async function saveModelToStore(
  model: tf.LayersModel,
  store: ArtifactStore,
  prefix: string,
  options?: ModelIOOptions,
): Promise<tf.io.SaveResult> {
  return model.save(storeSaveHandler(store, prefix, options));
}

export async function loadModelFromStore(
  store: ArtifactStore,
  prefix: string,
  options?: ModelLoadOptions,
): Promise<tf.LayersModel> {
  return tf.loadLayersModel(storeLoadHandler(store, prefix, options));
}

function joinKey(prefix: string, name: string): string {
  const base = prefix.replace(/\/+$/, '');
  return base === '' ? name : `${base}/${name}`;
}

/** model.json's content, with the same keys tfjs's own handlers write. */
function toModelJSON(
  artifacts: tf.io.ModelArtifacts,
  weightsManifest: tf.io.WeightsManifestConfig,
): tf.io.ModelJSON {
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology ?? {},
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest,
  };
  if (artifacts.signature != null) json.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer != null) json.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature != null) json.initializerSignature = artifacts.initializerSignature;
  if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
  return json;
}
