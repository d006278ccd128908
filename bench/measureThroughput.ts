import type * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/data/dataset.ts';
import { predictLogits, trainLoop, type TrainLoopOptions } from '../core/train/trainLoop.ts';
import { withCpuSeconds } from './cpuSeconds.ts';

export interface TrainingMeasurement {
  samplesPerSecond: number;
  /** Samples per second of this process's CPU time: steadier than wall time when the machine is shared. */
  samplesPerCpuSecond: number;
  steps: number;
  seconds: number;
  cpuSeconds: number;
  /** The very first step (kernel setup, first allocations). */
  firstStepSeconds: number;
  warmupSeconds: number;
  /**
   * True when a step is so slow (tfjs cpu training the CNN: over a minute) that the first step is the
   * measurement: its one-off costs are well under 1% of it, and a second step would double the suite's time.
   */
  fromFirstStep: boolean;
}

export interface TrainingOptions {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  data: Dataset;
  batchSize: number;
  /** Aim for about this long timed. */
  targetSeconds: number;
  minSteps: number;
  maxSteps: number;
  /** Training-time augmentation, as a member with `augment` trains (the augmentation benchmark). */
  augment?: TrainLoopOptions['augment'];
}

/** A first step longer than this many target times is measured on its own (see `fromFirstStep`). */
const SLOW_STEP_FACTOR = 5;

/**
 * Training samples/s through Chorus' own loop (`trainLoop`: shuffled batches, `optimizer.minimize` on
 * softmax cross-entropy, the loss read back every step), so every engine does exactly the work a member
 * does. Warm-up steps first; then enough steps for about `targetSeconds`, estimated from the warm-up.
 */
export async function measureTraining(o: TrainingOptions): Promise<TrainingMeasurement> {
  let offset = 0;
  const runSteps = async (steps: number) => {
    const rows = new Int32Array(steps * o.batchSize);
    for (let i = 0; i < rows.length; i++) rows[i] = (offset + i) % o.data.count;
    offset += rows.length;
    const run = await withCpuSeconds(() =>
      trainLoop({
        model: o.model,
        optimizer: o.optimizer,
        data: o.data,
        classes: o.data.classes,
        rows,
        epochs: 1,
        batchSize: o.batchSize,
        seed: offset,
        ...(o.augment ? { augment: o.augment } : {}),
      }),
    );
    return { steps, seconds: run.seconds, cpuSeconds: run.cpuSeconds };
  };
  const first = await runSteps(1);
  const result = (timed: { steps: number; seconds: number; cpuSeconds: number }, warmupSeconds: number) => ({
    samplesPerSecond: (timed.steps * o.batchSize) / timed.seconds,
    samplesPerCpuSecond: (timed.steps * o.batchSize) / timed.cpuSeconds,
    steps: timed.steps,
    seconds: timed.seconds,
    cpuSeconds: timed.cpuSeconds,
    firstStepSeconds: first.seconds,
    warmupSeconds,
    fromFirstStep: timed === first,
  });
  if (first.seconds > SLOW_STEP_FACTOR * o.targetSeconds) return result(first, 0);
  let warmupSeconds = first.seconds;
  let perStep = first.seconds;
  // Fast configurations: a few more warm-up steps give a steady per-step estimate.
  if (first.seconds < o.targetSeconds / 4) {
    const s = await runSteps(3);
    warmupSeconds += s.seconds;
    perStep = s.seconds / 3;
  }
  const steps = Math.min(o.maxSteps, Math.max(o.minSteps, Math.ceil(o.targetSeconds / perStep)));
  return result(await runSteps(steps), warmupSeconds);
}

export interface InferenceMeasurement {
  samplesPerSecond: number;
  samplesPerCpuSecond: number;
  samples: number;
  seconds: number;
  cpuSeconds: number;
  batchSize: number;
}

/** Chorus' prediction batch (predictLogits), which soft-label shards use. */
export const INFERENCE_BATCH = 1024;

/**
 * Soft-label generation speed: `predictLogits` (what a soft-labels shard runs) over successive
 * 1024-sample slices of `data`, after one warm-up slice, until `targetSeconds` have passed.
 */
export async function measureInference(
  model: tf.LayersModel,
  data: Dataset,
  targetSeconds: number,
): Promise<InferenceMeasurement> {
  const slice = Math.min(INFERENCE_BATCH, data.count);
  predictLogits(model, data, 0, slice);
  let samples = 0;
  let start = slice % data.count;
  const run = await withCpuSeconds(() => {
    const t0 = performance.now();
    while (samples === 0 || performance.now() - t0 < targetSeconds * 1000) {
      const end = Math.min(data.count, start + slice);
      predictLogits(model, data, start, end);
      samples += end - start;
      start = end % data.count;
    }
  });
  return {
    samplesPerSecond: samples / run.seconds,
    samplesPerCpuSecond: samples / run.cpuSeconds,
    samples,
    seconds: run.seconds,
    cpuSeconds: run.cpuSeconds,
    batchSize: slice,
  };
}
