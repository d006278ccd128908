import { posix } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { expectedWeightBytes, isInsideModelFolder, parseModelJSON } from '../../artifacts/modelJson.ts';
import type { ModelFileError } from '../../errors.ts';
import { SPEC_LIMITS } from '../../spec/specLimits.ts';
import { modelConfigOf } from './kerasTopology.ts';

/**
 * The checks of a model file that need only its bytes: model.json is a tfjs LayersModel, its weights
 * files stay inside its folder, and the weights files are as large as the manifest says. The same
 * whether the files are read from disk (`readModelFiles`) or arrive some other way (an upload).
 */

export type Fail = (problem: string, cause?: unknown) => ModelFileError;

/** Most bytes of a model file's weights and of its model.json; tests lower them. */
export interface ModelFileLimits {
  jsonBytes: number;
  weightBytes: number;
}

export const MODEL_FILE_LIMITS: ModelFileLimits = {
  jsonBytes: SPEC_LIMITS.modelJsonBytes,
  weightBytes: SPEC_LIMITS.modelWeightBytes,
};

/** model.json parsed and checked: a LayersModel (Sequential or Functional), not a graph model. */
export function parseModelFile(bytes: Uint8Array, fail: Fail): tf.io.ModelJSON {
  const json = parseModelJSON(bytes, fail);
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw fail(
      `its format is ${JSON.stringify(json.format)}: Chorus reads tfjs LayersModels ("layers-model", as ` +
        'tf.LayersModel.save and tensorflowjs_converter write Keras models), not graph models',
    );
  }
  if (!modelConfigOf(json.modelTopology as Record<string, unknown>)) {
    throw fail(
      'its modelTopology is not a Keras model (class_name Sequential, Functional or Model, as a LayersModel has)',
    );
  }
  return json;
}

/** One weights file named by the manifest: where (group g, path p) and its path below the model's folder. */
export interface WeightsPath {
  group: number;
  index: number;
  /** Normalised and relative to the model's folder, e.g. `group1-shard1of2.bin`. */
  path: string;
}

/** Every weights file the manifest names, in order; a path that leaves the model's folder is refused. */
export function weightsPaths(json: tf.io.ModelJSON, fail: Fail): WeightsPath[] {
  const out: WeightsPath[] = [];
  json.weightsManifest.forEach((group, g) =>
    group.paths.forEach((path, p) => {
      if (!isInsideModelFolder(path)) {
        throw fail(
          `weights path ${JSON.stringify(path)} (weightsManifest[${g}].paths[${p}]) points outside the model folder`,
        );
      }
      out.push({ group: g, index: p, path: posix.normalize(path) });
    }),
  );
  return out;
}

/**
 * The bytes of each manifest group's weights (a group's weights are stored one after the other across its
 * files), refused when their total is over the limit: checked before any weights file is looked at.
 */
export function manifestGroupBytes(json: tf.io.ModelJSON, limits: ModelFileLimits, fail: Fail): number[] {
  const groupBytes = json.weightsManifest.map((group, g) => {
    const bytes = expectedWeightBytes(group.weights);
    if (bytes === undefined) {
      const odd = group.weights.find((w) => expectedWeightBytes([w]) === undefined);
      throw fail(
        `weightsManifest[${g}]: weight ${odd?.name ?? '?'} has dtype ${odd?.dtype ?? '?'}, which a LayersModel cannot hold`,
      );
    }
    return bytes;
  });
  const total = groupBytes.reduce((a, b) => a + b, 0);
  if (total > limits.weightBytes) {
    throw fail(
      `its weightsManifest describes ${total} bytes of weights, over the limit of ${limits.weightBytes}`,
    );
  }
  return groupBytes;
}

/**
 * Checks the weights files' sizes (in the order of `weightsPaths`): their total against the limit, then
 * each group's files against the bytes its weights take (`manifestGroupBytes`).
 */
export function checkWeightSizes(
  groupBytes: readonly number[],
  paths: readonly WeightsPath[],
  sizes: readonly number[],
  limits: ModelFileLimits,
  fail: Fail,
): void {
  const onDisk = sizes.reduce((a, b) => a + b, 0);
  if (onDisk > limits.weightBytes) {
    throw fail(`its weights files hold ${onDisk} bytes, over the limit of ${limits.weightBytes}`);
  }
  groupBytes.forEach((expected, g) => {
    const files = paths.flatMap((p, i) => (p.group === g ? [{ path: p.path, size: sizes[i] ?? 0 }] : []));
    const held = files.reduce((a, f) => a + f.size, 0);
    if (held !== expected) {
      const names = files.map((f) => `${f.path} (${f.size} bytes)`).join(', ');
      throw fail(
        `weights file${files.length === 1 ? '' : 's'} ${names || '(none)'} of weightsManifest[${g}] ` +
          `hold${files.length === 1 ? 's' : ''} ${held} bytes, but its weights take ${expected}: the wrong file, or a truncated one`,
      );
    }
  });
}
