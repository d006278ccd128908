import { posix, win32 } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { ModelFileError } from '../errors.ts';

/**
 * Reading a tfjs model.json without tfjs: its shape checks, where its weights files may be, and how
 * many bytes its weights take. Shared by the model-IO handlers and the model files a job names.
 */

/** A relative path that, once normalised, stays below the model's folder (on any platform). */
export function isInsideModelFolder(path: string): boolean {
  if (path === '' || path.includes('\\') || posix.isAbsolute(path) || win32.isAbsolute(path)) return false;
  const normal = posix.normalize(path);
  return (
    normal !== '.' && normal !== '..' && !normal.startsWith('../') && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)
  );
}

/** Checks the parts of model.json that loading relies on, naming the first field that is wrong. */
export function parseModelJSON(
  bytes: Uint8Array,
  fail: (problem: string, cause?: unknown) => ModelFileError,
): tf.io.ModelJSON {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw fail(`not valid JSON: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  if (!isObject(parsed)) throw fail('expected a JSON object');
  if (!isObject(parsed['modelTopology'])) throw fail('has no modelTopology');
  if (parsed['format'] !== undefined && typeof parsed['format'] !== 'string')
    throw fail('format must be a string');
  const manifest = parsed['weightsManifest'];
  if (!Array.isArray(manifest)) throw fail('has no weightsManifest');
  manifest.forEach((group: unknown, g) => {
    const at = `weightsManifest[${g}]`;
    if (!isObject(group)) throw fail(`${at} must be an object`);
    const paths = group['paths'];
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) {
      throw fail(`${at}.paths must be an array of file names`);
    }
    const weights = group['weights'];
    if (!Array.isArray(weights)) throw fail(`${at}.weights must be an array`);
    weights.forEach((w: unknown, i) => {
      const wat = `${at}.weights[${i}]`;
      if (!isObject(w)) throw fail(`${wat} must be an object`);
      if (typeof w['name'] !== 'string') throw fail(`${wat}.name must be a string`);
      const shape = w['shape'];
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
        throw fail(`${wat}.shape must be an array of non-negative integers`);
      }
      if (typeof w['dtype'] !== 'string') throw fail(`${wat}.dtype must be a string`);
      const q = w['quantization'];
      if (q !== undefined) {
        if (!isObject(q) || typeof q['dtype'] !== 'string') {
          throw fail(`${wat}.quantization must be an object with a dtype`);
        }
        const problem = quantizationProblem(w['dtype'], q);
        if (problem) throw fail(`${wat}.quantization: ${problem}`);
      }
    });
  });
  return parsed as unknown as tf.io.ModelJSON;
}

/**
 * What tfjs-core's `io.decodeWeights` cannot dequantize: uint8 and uint16 (affine, `min` + `scale`) into
 * float32 or int32, float16 into float32 only. Said here, with the weight named, instead of at load time.
 */
function quantizationProblem(dtype: string, q: Record<string, unknown>): string | undefined {
  const to = q['dtype'];
  if (to === 'uint8' || to === 'uint16') {
    if (typeof q['min'] !== 'number' || typeof q['scale'] !== 'number') {
      return `${to} quantization needs numbers min and scale`;
    }
    if (dtype !== 'float32' && dtype !== 'int32')
      return `${to} quantization of ${dtype} weights is not supported`;
    return undefined;
  }
  if (to === 'float16') {
    return dtype === 'float32' ? undefined : `float16 quantization of ${dtype} weights is not supported`;
  }
  return `unknown quantization dtype ${JSON.stringify(to)} (tfjs reads uint8, uint16 and float16)`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

/** The weights' total size per the manifest; undefined for strings and unknown dtypes (variable length). */
export function expectedWeightBytes(specs: tf.io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const size = BYTES_PER_ELEMENT[spec.quantization?.dtype ?? spec.dtype];
    if (size === undefined) return undefined;
    total += spec.shape.reduce((a, b) => a * b, 1) * size;
  }
  return total;
}
