import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Runs `fn` with a fresh temporary folder that is removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-model-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Row-wise softmax of a row-major [n, c] matrix, in float64. */
export function softmaxRows(logits: ArrayLike<number>, classes: number, temperature = 1): Float64Array {
  const out = new Float64Array(logits.length);
  for (let r = 0; r < logits.length / classes; r++) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, (logits[r * classes + k] as number) / temperature);
    let sum = 0;
    for (let k = 0; k < classes; k++) {
      const e = Math.exp((logits[r * classes + k] as number) / temperature - max);
      out[r * classes + k] = e;
      sum += e;
    }
    for (let k = 0; k < classes; k++) out[r * classes + k] = (out[r * classes + k] as number) / sum;
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

/** Synchronous prediction as a flat Float32Array. */
export function predictFlat(model: tf.LayersModel, x: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
}

export function weightValues(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}
