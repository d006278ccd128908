import * as tf from '@tensorflow/tfjs';

/** Uniform floats in [-1, 1) from a seeded mulberry32 generator, so both backends see the same inputs. */
export function randomValues(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/**
 * Relative error of `actual` against the reference `expected`: max|a - e| / max(1e-6, max|e|).
 * Scaling by the largest reference magnitude (not element-wise) keeps entries near zero from blowing up.
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length)
    throw new Error(`lengths differ: ${actual.length} vs ${expected.length}`);
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!Number.isFinite(a)) return Infinity;
    diff = Math.max(diff, Math.abs(a - e));
    scale = Math.max(scale, Math.abs(e));
  }
  return diff / scale;
}

export interface BackendResults {
  shapes: number[][];
  cpu: Float32Array[];
  wasm: Float32Array[];
}

/**
 * Runs `compute` on the cpu backend, then on wasm, and returns the values of its outputs on each.
 * `compute` must build its inputs from plain arrays so both runs start from identical data.
 */
export async function onCpuAndWasm(compute: () => tf.Tensor | tf.Tensor[]): Promise<BackendResults> {
  const run = async (backend: string): Promise<{ shapes: number[][]; values: Float32Array[] }> => {
    await tf.setBackend(backend);
    const out = tf.tidy(compute);
    const list = Array.isArray(out) ? out : [out];
    const values = await Promise.all(list.map(async (t) => Float32Array.from(await t.data())));
    const shapes = list.map((t) => t.shape);
    tf.dispose(list);
    return { shapes, values };
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  return { shapes: wasm.shapes, cpu: cpu.values, wasm: wasm.values };
}
