/**
 * Where a Chorus-wasm training step's time goes: `tf.profile` over a few warm steps of trainLoop,
 * kernels summed by name. `--model mlp|cnn --batch N --steps S`, in its own process.
 */
import * as tf from '@tensorflow/tfjs';
import { buildBenchModel, type BenchModel } from './benchModels.ts';
import { emitResult, numberArg, parseArgs, stringArg } from './emitResult.ts';
import { loadFashionMnist } from './fashionMnist.ts';
import { measureTraining } from './measureThroughput.ts';
import { startEngine } from './startEngine.ts';
import { trainLoop } from '../core/train/trainLoop.ts';

export interface KernelShare {
  name: string;
  msPerStep: number;
  callsPerStep: number;
  /** Fraction of all profiled kernel time. */
  share: number;
}

export interface ProfileChildResult {
  model: BenchModel;
  batch: number;
  steps: number;
  /** Wall time per step without the profiler. */
  wallMsPerStep: number;
  /** Wall time per step under tf.profile (it times every kernel). */
  profiledWallMsPerStep: number;
  /** Sum of the kernels' own times per step. */
  kernelMsPerStep: number;
  kernels: KernelShare[];
  /**
   * Profiled entries that are not registered kernels but composite ops (e.g. `softmaxCrossEntropy__op`,
   * a custom-gradient op): their time contains the kernels they ran, which are listed on their own, so
   * they are left out of the sum.
   */
  composites: { name: string; msPerStep: number }[];
}

const args = parseArgs(process.argv.slice(2));
const modelName = stringArg(args, 'model') as BenchModel;
const batch = numberArg(args, 'batch', 128);
const steps = numberArg(args, 'steps', 5);

await startEngine('chorus-wasm');
const data = await loadFashionMnist('train', modelName === 'mlp');
const { model, optimizer } = buildBenchModel(modelName);
// Warm up, and the unprofiled step time to compare the kernel sum with.
const plain = await measureTraining({
  model,
  optimizer,
  data,
  batchSize: batch,
  targetSeconds: 1,
  minSteps: steps,
  maxSteps: steps,
});
const rows = new Int32Array(steps * batch);
for (let i = 0; i < rows.length; i++) rows[i] = i % data.count;
const t0 = performance.now();
const info = await tf.profile(async () => {
  await trainLoop({
    model,
    optimizer,
    data,
    classes: data.classes,
    rows,
    epochs: 1,
    batchSize: batch,
    seed: 3,
  });
  return [];
});
const profiledWallMs = performance.now() - t0;

const byName = new Map<string, { ms: number; calls: number }>();
const composite = new Map<string, number>();
for (const k of info.kernels) {
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  if (tf.getKernel(k.name, tf.getBackend()) === undefined) {
    composite.set(k.name, (composite.get(k.name) ?? 0) + ms);
    continue;
  }
  const entry = byName.get(k.name) ?? { ms: 0, calls: 0 };
  entry.ms += ms;
  entry.calls += 1;
  byName.set(k.name, entry);
}
const totalMs = [...byName.values()].reduce((a, e) => a + e.ms, 0);
const kernels: KernelShare[] = [...byName.entries()]
  .map(([name, e]) => ({
    name,
    msPerStep: e.ms / steps,
    callsPerStep: e.calls / steps,
    share: totalMs > 0 ? e.ms / totalMs : 0,
  }))
  .sort((a, b) => b.msPerStep - a.msPerStep);

const result: ProfileChildResult = {
  model: modelName,
  batch,
  steps,
  wallMsPerStep: (plain.seconds * 1000) / plain.steps,
  profiledWallMsPerStep: profiledWallMs / steps,
  kernelMsPerStep: totalMs / steps,
  kernels,
  composites: [...composite.entries()].map(([name, ms]) => ({ name, msPerStep: ms / steps })),
};
emitResult(result);
