/**
 * Saves and loads tfjs models in a local folder, in the standard layout: `model.json` (modelTopology +
 * weightsManifest) and `weights.bin` — what tfjs-node's `file://` handler writes and reads, and what a
 * browser's `tf.loadLayersModel(url)` fetches. (tfjs-node is an optional peer; this works without it.)
 *
 * Crash safety: both files are written to temporary names and fsynced first; then the old model.json
 * is removed, weights.bin renamed into place, and model.json renamed last. At every instant the folder
 * holds either a complete model or no model.json — never a model.json that points at half-written
 * weights. As a further guard, loading checks the weights' byte count against the manifest.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DatasetError } from '../errors.ts';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** An IOHandler that writes `dir/model.json` and `dir/weights.bin`, creating `dir` if needed. */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new DatasetError(
          join(dir, MODEL_JSON),
          'binary model topologies (GraphDef) cannot be saved as model.json',
        );
      }
      const weightData = artifacts.weightData ?? new ArrayBuffer(0);
      const modelJSON = toModelJSON(artifacts, [
        { paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] },
      ]);
      await mkdir(dir, { recursive: true });
      const jsonPath = join(dir, MODEL_JSON);
      const binPath = join(dir, WEIGHTS_BIN);
      const temps: string[] = [];
      try {
        const binTemp = await writeDurably(
          binPath,
          new Uint8Array(tf.io.CompositeArrayBuffer.join(weightData)),
        );
        temps.push(binTemp);
        const jsonTemp = await writeDurably(jsonPath, JSON.stringify(modelJSON));
        temps.push(jsonTemp);
        // Remove the old model.json before replacing its weights, so no model.json ever meets
        // weights it was not written with (a crash here leaves "no model", which a rerun repairs).
        await rm(jsonPath, { force: true });
        await rename(binTemp, binPath);
        await rename(jsonTemp, jsonPath);
        temps.length = 0;
        await syncDir(dir);
      } finally {
        await Promise.all(temps.map((t) => rm(t, { force: true })));
      }
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/**
 * An IOHandler that reads a model saved in the standard layout. `path` is the folder or its model.json;
 * weight files may be sharded (`group1-shard1of2.bin`, ...) as the tfjs converter writes them, but must
 * lie inside the folder.
 */
export function fileLoadHandler(path: string): tf.io.IOHandler {
  const jsonPath = path.endsWith('.json') ? path : join(path, MODEL_JSON);
  const dir = dirname(jsonPath);
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const modelJSON = await readModelJSON(jsonPath);
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const p of group.paths) buffers.push(await readWeightsFile(dir, p));
        }
        const specs = tf.io.getWeightSpecs(manifest);
        const data = tf.io.CompositeArrayBuffer.join(buffers);
        checkWeightBytes(jsonPath, specs, data.byteLength);
        return [specs, data];
      });
    },
  };
}

export async function saveModel(model: tf.LayersModel, dir: string): Promise<tf.io.SaveResult> {
  return model.save(fileSaveHandler(dir));
}

/** Loads a LayersModel from a folder (or its model.json) written by `saveModel` or tfjs-node. */
export async function loadModel(path: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileLoadHandler(path));
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

async function readModelJSON(jsonPath: string): Promise<tf.io.ModelJSON> {
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (err) {
    throw new DatasetError(jsonPath, `cannot read saved model: ${errorMessage(err)}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DatasetError(jsonPath, `not valid JSON: ${errorMessage(err)}`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null)
    throw new DatasetError(jsonPath, 'expected a JSON object');
  const json = parsed as Partial<tf.io.ModelJSON>;
  if (typeof json.modelTopology !== 'object' || json.modelTopology === null) {
    throw new DatasetError(jsonPath, 'has no modelTopology');
  }
  if (!Array.isArray(json.weightsManifest)) throw new DatasetError(jsonPath, 'has no weightsManifest');
  return json as tf.io.ModelJSON;
}

async function readWeightsFile(dir: string, path: string): Promise<ArrayBuffer> {
  const full = resolve(dir, path);
  const rel = relative(resolve(dir), full);
  if (isAbsolute(path) || rel.startsWith('..') || isAbsolute(rel)) {
    throw new DatasetError(
      join(dir, MODEL_JSON),
      `weights path ${JSON.stringify(path)} points outside the model folder`,
    );
  }
  try {
    const bytes = await readFile(full);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  } catch (err) {
    throw new DatasetError(full, `cannot read model weights: ${errorMessage(err)}`, { cause: err });
  }
}

const BYTES_PER_ELEMENT: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** A weights file that is shorter or longer than the manifest says is a torn or mismatched save. */
function checkWeightBytes(jsonPath: string, specs: tf.io.WeightsManifestEntry[], actual: number): void {
  let expected = 0;
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const size = BYTES_PER_ELEMENT[dtype];
    if (size === undefined) return; // strings and unknown dtypes: variable length, cannot check
    expected += spec.shape.reduce((a, b) => a * b, 1) * size;
  }
  if (expected !== actual) {
    throw new DatasetError(
      jsonPath,
      `weights hold ${actual} bytes but the weightsManifest describes ${expected}; the model was not saved completely`,
    );
  }
}

/** Writes `data` to a fresh temporary file next to `path`, fsynced; returns the temporary name. */
async function writeDurably(path: string, data: Uint8Array | string): Promise<string> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomUUID()}.tmp`);
  const file = await open(temp, 'wx');
  try {
    await file.writeFile(data);
    await file.sync();
  } catch (err) {
    await file.close();
    await rm(temp, { force: true });
    throw err;
  }
  await file.close();
  return temp;
}

/** Makes the renames durable; not possible on every platform (Windows), where it is skipped. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Directory fsync is unsupported here; the files themselves are already synced.
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
