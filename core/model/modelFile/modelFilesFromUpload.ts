import type * as tf from '@tensorflow/tfjs';
import { ModelFileError } from '../../errors.ts';
import {
  checkWeightSizes,
  manifestGroupBytes,
  MODEL_FILE_LIMITS,
  parseModelFile,
  weightsPaths,
  type Fail,
  type ModelFileLimits,
} from './modelFileManifest.ts';
import type { ModelFiles } from './readModelFiles.ts';

/**
 * A model file that arrives as bytes rather than from disk (uploaded with a job): model.json and its
 * weights files keyed by their path below the model's folder, as the manifest names them. The same
 * checks as `readModelFiles` (a LayersModel, weights paths inside the folder, every weights file
 * present and of the right size, the size limits) except the filesystem's own (symbolic links), and no
 * file beyond what the manifest names. `name` is how messages name the model file.
 */
export function modelFilesFromUpload(
  name: string,
  json: Uint8Array,
  weights: ReadonlyMap<string, Uint8Array>,
  options: { weights: boolean; limits?: ModelFileLimits },
): ModelFiles {
  const limits = options.limits ?? MODEL_FILE_LIMITS;
  const fail: Fail = (problem, cause) => new ModelFileError(name, problem, { cause });
  if (json.byteLength > limits.jsonBytes) {
    throw fail(`its model.json is ${json.byteLength} bytes, over the limit of ${limits.jsonBytes}`);
  }
  const parsed: tf.io.ModelJSON = parseModelFile(json, fail);
  if (!options.weights) return { file: name, json, parsed, weights: [] };
  const paths = weightsPaths(parsed, fail);
  const groupBytes = manifestGroupBytes(parsed, limits, fail);
  const named = new Set(paths.map((p) => p.path));
  for (const path of weights.keys()) {
    if (!named.has(path))
      throw fail(`the weights file ${path} was sent but its weightsManifest does not name it`);
  }
  const files = paths.map((p) => {
    const bytes = weights.get(p.path);
    if (!bytes)
      throw fail(`its weights file ${p.path} (weightsManifest[${p.group}].paths[${p.index}]) is missing`);
    return { path: p.path, bytes };
  });
  checkWeightSizes(
    groupBytes,
    paths,
    files.map((f) => f.bytes.byteLength),
    limits,
    fail,
  );
  return { file: name, json, parsed, weights: files };
}
