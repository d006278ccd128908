import * as tf from '@tensorflow/tfjs';
import { ChorusError } from '../errors.ts';
import type { ArtifactStore } from './artifactStore.ts';

/**
 * tfjs IOHandlers over an ArtifactStore: a model under `prefix` is `prefix/model.json` and
 * `prefix/weights.bin` in the standard tfjs layout, whichever store holds it.
 */

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

export function storeSaveHandler(store: ArtifactStore, prefix: string): tf.io.IOHandler {
  return {
    save: async (artifacts) => {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new ChorusError(`${prefix}: binary model topologies cannot be saved as model.json`);
      }
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
      // model.json last, and removed first: it never points at weights it was not written with.
      await store.deletePrefix(`${prefix}/${MODEL_JSON}`);
      await store.put(`${prefix}/${WEIGHTS_BIN}`, new Uint8Array(weights));
      await store.put(`${prefix}/${MODEL_JSON}`, new TextEncoder().encode(JSON.stringify(json)));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

export function storeLoadHandler(store: ArtifactStore, prefix: string): tf.io.IOHandler {
  return {
    load: async () => {
      const text = new TextDecoder().decode(await store.get(`${prefix}/${MODEL_JSON}`));
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(text) as tf.io.ModelJSON;
      } catch (err) {
        throw new ChorusError(`${prefix}/${MODEL_JSON}: not valid JSON`, { cause: err });
      }
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const path of group.paths) {
            const bytes = await store.get(`${prefix}/${path}`);
            buffers.push(bytes.slice().buffer);
          }
        }
        return [tf.io.getWeightSpecs(manifest), tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

export async function saveModelToStore(model: tf.LayersModel, store: ArtifactStore, prefix: string): Promise<void> {
  await model.save(storeSaveHandler(store, prefix));
}

export async function loadModelFromStore(store: ArtifactStore, prefix: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(storeLoadHandler(store, prefix));
}
