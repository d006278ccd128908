import { open, realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep, isAbsolute } from 'node:path';
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

/** A model file read whole: model.json and, when asked for, its weights files. */
export interface ModelFiles {
  /** model.json's absolute path, as messages name it. */
  file: string;
  /** model.json's bytes as they are on disk. */
  json: Uint8Array;
  parsed: tf.io.ModelJSON;
  /** The weights files in manifest order: path below the model's folder (normalised), and bytes. */
  weights: { path: string; bytes: Uint8Array }[];
}

export interface ReadModelFilesOptions {
  /** Read the weights files too (a model used with `weights: file`); otherwise only model.json. */
  weights: boolean;
  limits?: ModelFileLimits;
}

/**
 * Reads a model file (`path/to/model.json`) and its weights files from disk, checking everything that can
 * be wrong with them before tfjs sees them: a missing, oversized or non-JSON model.json, a weights path
 * that leaves the model's folder (`../`, absolute, or a symbolic link that resolves outside it), a
 * missing weights file, or one of the wrong size. Sizes are checked before anything is read, so a
 * huge file is refused without being read. Errors are ModelFileErrors naming the file.
 */
export async function readModelFiles(path: string, options: ReadModelFilesOptions): Promise<ModelFiles> {
  const limits = options.limits ?? MODEL_FILE_LIMITS;
  const file = resolve(path);
  const fail: Fail = (problem, cause) => new ModelFileError(file, problem, { cause });
  const json = await readRegularFile(file, limits.jsonBytes, 'model.json', fail);
  const parsed = parseModelFile(json, fail);
  if (!options.weights) return { file, json, parsed, weights: [] };

  const folder = dirname(file);
  const realFolder = await realpath(folder);
  const paths = weightsPaths(parsed, fail);
  const groupBytes = manifestGroupBytes(parsed, limits, fail);
  const sizes: number[] = [];
  for (const p of paths) {
    const at = `weightsManifest[${p.group}].paths[${p.index}]`;
    const target = join(folder, p.path);
    let real: string;
    try {
      real = await realpath(target);
    } catch (err) {
      throw fail(`its weights file ${p.path} (${at}) is missing`, err);
    }
    const below = relative(realFolder, real);
    if (below === '' || below === '..' || below.startsWith(`..${sep}`) || isAbsolute(below)) {
      throw fail(`its weights file ${p.path} (${at}) is a symbolic link that leads outside the model folder`);
    }
    const info = await stat(real);
    if (!info.isFile()) throw fail(`its weights file ${p.path} (${at}) is not a regular file`);
    sizes.push(info.size);
  }
  checkWeightSizes(groupBytes, paths, sizes, limits, fail);
  const weights: ModelFiles['weights'] = [];
  for (const p of paths) {
    const bytes = await readRegularFile(
      join(folder, p.path),
      limits.weightBytes,
      `weights file ${p.path}`,
      fail,
    );
    weights.push({ path: p.path, bytes });
  }
  return { file, json, parsed, weights };
}

/** A regular file's bytes, refused without reading when it is over `maxBytes`. */
async function readRegularFile(
  file: string,
  maxBytes: number,
  what: string,
  fail: Fail,
): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw fail(`cannot read its ${what}: ${describeOpenError(err)}`, err);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw fail(`its ${what} is a directory: name the model.json file`);
    if (!info.isFile()) throw fail(`its ${what} is not a regular file (a device, pipe or socket)`);
    if (info.size > maxBytes) throw fail(`its ${what} is ${info.size} bytes, over the limit of ${maxBytes}`);
    return new Uint8Array(await handle.readFile());
  } finally {
    await handle.close();
  }
}

function describeOpenError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}
