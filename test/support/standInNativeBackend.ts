import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * A stand-in for `@tensorflow/tfjs-node-gpu` (or `-node`), which cannot be installed here: a package
 * in `<folder>/node_modules` that, when a process loads it, appends the process's id and GPU
 * environment (CUDA_VISIBLE_DEVICES, TF_FORCE_GPU_ALLOW_GROWTH) to `record` as a JSON line, and
 * registers a `tensorflow` backend that runs tfjs's cpu kernels, so tasks really train on it.
 * Processes find it through NODE_PATH (`env`), as Node's `require` does for packages found nowhere else.
 */
export interface StandInNativeBackend {
  /** Environment for processes that should find the stand-in. */
  env: Record<string, string>;
  record: string;
}

export interface LoadRecord {
  pid: number;
  CUDA_VISIBLE_DEVICES?: string;
  TF_FORCE_GPU_ALLOW_GROWTH?: string;
}

export async function writeStandInNativeBackend(
  folder: string,
  pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node' = '@tensorflow/tfjs-node-gpu',
): Promise<StandInNativeBackend> {
  const require = createRequire(import.meta.url);
  const core = require.resolve('@tensorflow/tfjs-core');
  const cpu = require.resolve('@tensorflow/tfjs-backend-cpu');
  const record = join(folder, 'loads.jsonl');
  const dir = join(folder, 'node_modules', ...pkg.split('/'));
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: pkg, version: '0.0.0-stand-in', main: 'index.js' }),
  );
  await writeFile(
    join(dir, 'index.js'),
    `'use strict';
const fs = require('node:fs');
const tf = require(${JSON.stringify(core)});
require(${JSON.stringify(cpu)});
fs.appendFileSync(${JSON.stringify(record)}, JSON.stringify({
  pid: process.pid,
  CUDA_VISIBLE_DEVICES: process.env.CUDA_VISIBLE_DEVICES,
  TF_FORCE_GPU_ALLOW_GROWTH: process.env.TF_FORCE_GPU_ALLOW_GROWTH,
}) + '\\n');
if (tf.findBackendFactory('tensorflow') === null) {
  tf.registerBackend('tensorflow', tf.findBackendFactory('cpu'), 1);
  for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: 'tensorflow' });
}
module.exports = tf;
`,
  );
  return { env: { NODE_PATH: join(folder, 'node_modules') }, record };
}
