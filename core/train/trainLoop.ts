import * as tf from '@tensorflow/tfjs';
import { featureSize, type Dataset } from '../data/dataset.ts';
import { deriveSeed, permutation } from '../data/random.ts';
import { distillationLoss } from '../distill/loss.ts';
import { ChorusError } from '../errors.ts';
import type { TaskProgress } from '../tasks/taskProgress.ts';
import type { TrainingHistory } from '../tasks/taskResult.ts';
import type { Checkpointer } from './checkpoint.ts';
import { sparseSoftmaxCrossEntropy } from './sparseSoftmaxCrossEntropy.ts';

/** Distillation settings: `softTargets` holds the teacher's probabilities at `temperature`, one row per sample. */
export interface DistillTargets {
  softTargets: Float32Array;
  temperature: number;
  alpha: number;
}

export interface TrainLoopOptions {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  data: Dataset;
  classes: number;
  /** Rows of `data` to train on, e.g. a bootstrap sample; default every row. */
  rows?: Int32Array;
  /** When given, the loss is the distillation loss; otherwise cross-entropy on the labels. */
  distill?: DistillTargets;
  epochs: number;
  batchSize: number;
  /** Seeds the per-epoch shuffles (epoch e uses a seed derived from (seed, e), so a resume replays them). */
  seed: number;
  validation?: Dataset;
  checkpoint?: Checkpointer;
  /**
   * Checkpoint at the end of an epoch only once this many seconds have passed since the last one (or
   * since this call started); default 0, every epoch.
   */
  checkpointEverySeconds?: number;
  onProgress?: (update: TaskProgress) => void;
  /** Called after every mini-batch: its samples, the seconds the step took, its loss (metrics). */
  onStep?: (samples: number, seconds: number, loss: number) => void;
  signal?: AbortSignal;
}

export interface TrainLoopResult {
  history: TrainingHistory;
  /** First epoch this call ran (0 unless it resumed from a checkpoint). */
  resumedFromEpoch: number;
  /** Samples trained on by this call. */
  samples: number;
  seconds: number;
}

/** Report progress at most this often, so terminals and NATS are not flooded. */
const PROGRESS_INTERVAL_MS = 250;

/**
 * Mini-batch training with a custom loop (not `model.fit`): the same loop trains members, baseline
 * and distilled students, checkpoints every epoch, and resumes from the last checkpoint.
 */
export async function trainLoop(o: TrainLoopOptions): Promise<TrainLoopResult> {
  const started = performance.now();
  const rows = o.rows ?? identityRows(o.data.count);
  const n = rows.length;
  if (n === 0) throw new ChorusError('nothing to train on: the training split is empty');
  const size = featureSize(o.data);
  const batchSize = Math.min(o.batchSize, n);
  const batches = Math.ceil(n / batchSize);
  const batchX = new Float32Array(batchSize * size);
  const batchY = new Int32Array(batchSize);
  const batchSoft = o.distill ? new Float32Array(batchSize * o.classes) : undefined;
  const varList = o.model.trainableWeights.map((w) => w.read() as tf.Variable);

  let history: TrainingHistory = { loss: [], ...(o.validation ? { valLoss: [] } : {}) };
  let firstEpoch = 0;
  const restored = await o.checkpoint?.restore(o.model, o.optimizer);
  if (restored) {
    firstEpoch = restored.epoch;
    history = restored.history;
  }

  let samples = 0;
  let lastReport = 0;
  const checkpointEveryMs = (o.checkpointEverySeconds ?? 0) * 1000;
  let lastCheckpoint = performance.now();
  // An epoch's checkpoint is copied at the epoch boundary and written while the next epoch trains
  // (file or network I/O, fsync): one write at a time, each awaited before the next one starts.
  let writing: Promise<void> | undefined;
  try {
    for (let epoch = firstEpoch; epoch < o.epochs; epoch++) {
      const order = permutation(n, deriveSeed(o.seed, epoch));
      const epochStart = performance.now();
      let lossSum = 0;
      let lossCount = 0;
      for (let b = 0; b < batches; b++) {
        if (o.signal?.aborted) throw abortError();
        const start = b * batchSize;
        const count = Math.min(batchSize, n - start);
        for (let i = 0; i < count; i++) {
          const row = rows[order[start + i]!]!;
          batchX.set(o.data.x.subarray(row * size, (row + 1) * size), i * size);
          batchY[i] = o.data.y[row]!;
          if (batchSoft && o.distill) {
            batchSoft.set(
              o.distill.softTargets.subarray(row * o.classes, (row + 1) * o.classes),
              i * o.classes,
            );
          }
        }
        const stepStarted = performance.now();
        const loss = step(o, batchX, batchY, batchSoft, count, varList);
        lossSum += loss * count;
        lossCount += count;
        samples += count;
        const now = performance.now();
        o.onStep?.(count, (now - stepStarted) / 1000, loss);
        if (o.onProgress && (now - lastReport >= PROGRESS_INTERVAL_MS || b === batches - 1)) {
          lastReport = now;
          o.onProgress({
            epoch: epoch + 1,
            epochs: o.epochs,
            batch: b + 1,
            batches,
            loss,
            samplesPerSecond: (lossCount / (now - epochStart)) * 1000,
          });
        }
        // Yield now and then so abort signals and progress messages get through.
        if (b % 16 === 15) await new Promise((r) => setImmediate(r));
      }
      history.loss.push(lossSum / lossCount);
      if (o.validation && o.validation.count > 0) {
        history.valLoss = [...(history.valLoss ?? []), crossEntropyOn(o.model, o.validation, o.classes)];
      }
      if (o.checkpoint && performance.now() - lastCheckpoint >= checkpointEveryMs) {
        lastCheckpoint = performance.now();
        writing = (await checkpointInBackground(o.checkpoint, writing, epoch + 1, o, history)).done;
      }
    }
    await writing;
  } catch (err) {
    await writing?.catch(() => {}); // settle the write before the caller (a retry) reads the checkpoint
    throw err;
  }
  return { history, resumedFromEpoch: firstEpoch, samples, seconds: (performance.now() - started) / 1000 };
}

/** Waits for the previous checkpoint write, snapshots this epoch, and starts writing it. */
async function checkpointInBackground(
  checkpoint: Checkpointer,
  previous: Promise<void> | undefined,
  epoch: number,
  o: TrainLoopOptions,
  history: TrainingHistory,
): Promise<{ done: Promise<void> }> {
  const snapshot = await checkpoint.snapshot(epoch, o.model, o.optimizer, history);
  await previous;
  const done = checkpoint.write(snapshot);
  // Handled here so a failure while the next epoch trains is not an unhandled rejection; it is
  // rethrown where the loop awaits this write. (Wrapped: a returned promise would be awaited.)
  done.catch(() => {});
  return { done };
}

function step(
  o: TrainLoopOptions,
  batchX: Float32Array,
  batchY: Int32Array,
  batchSoft: Float32Array | undefined,
  count: number,
  varList: tf.Variable[],
): number {
  const size = batchX.length / batchY.length;
  const lossTensor = tf.tidy(() => {
    const xs = tf.tensor(batchX.subarray(0, count * size), [count, ...o.data.sampleShape]);
    const labels = tf.tensor1d(batchY.subarray(0, count), 'int32');
    const soft =
      batchSoft && o.distill
        ? tf.tensor2d(batchSoft.subarray(0, count * o.classes), [count, o.classes])
        : undefined;
    const loss = o.optimizer.minimize(
      () => {
        const logits = o.model.apply(xs, { training: true }) as tf.Tensor2D;
        if (soft && o.distill) {
          return distillationLoss(labels, logits, soft, o.distill.temperature, o.distill.alpha);
        }
        return sparseSoftmaxCrossEntropy(labels, logits, o.classes);
      },
      true,
      varList,
    );
    if (!loss) throw new ChorusError('optimizer returned no loss');
    return loss;
  });
  const value = lossTensor.dataSync()[0] ?? Number.NaN;
  lossTensor.dispose();
  if (!Number.isFinite(value)) {
    throw new ChorusError(
      `the training loss became ${value}: lower the learning rate or check the data scaling`,
    );
  }
  return value;
}

/** Mean cross-entropy of the model's logits on a dataset, in batches. */
export function crossEntropyOn(model: tf.LayersModel, ds: Dataset, classes: number): number {
  const logits = predictLogits(model, ds);
  let sum = 0;
  for (let r = 0; r < ds.count; r++) {
    const off = r * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[off + c]!);
    let z = 0;
    for (let c = 0; c < classes; c++) z += Math.exp(logits[off + c]! - max);
    sum += -(logits[off + ds.y[r]!]! - max - Math.log(z));
  }
  return sum / ds.count;
}

const PREDICT_BATCH = 1024;

/** The model's logits on every row of a dataset, row-major [count, classes]. */
export function predictLogits(model: tf.LayersModel, ds: Dataset, start = 0, end = ds.count): Float32Array {
  const size = featureSize(ds);
  const parts: Float32Array[] = [];
  for (let s = start; s < end; s += PREDICT_BATCH) {
    const e = Math.min(end, s + PREDICT_BATCH);
    const out = tf.tidy(() => {
      const xs = tf.tensor(ds.x.subarray(s * size, e * size), [e - s, ...ds.sampleShape]);
      // The layers applied to the batch as is: model.predict would cut it into batches of 32 with tf.slice
      // (the wasm backend's slice reads the whole input each time: 100 MB copied per 1,024 MNIST rows), and
      // predictOnBatch still slices and concatenates it once (a fifth of an MLP batch's time). The same
      // kernels either way.
      return model.apply(xs, { training: false }) as tf.Tensor;
    });
    parts.push(out.dataSync() as Float32Array);
    out.dispose();
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const result = new Float32Array(total);
  let off = 0;
  for (const p of parts) {
    result.set(p, off);
    off += p.length;
  }
  return result;
}

function identityRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

function abortError(): Error {
  const err = new ChorusError('the task was cancelled');
  err.name = 'AbortError';
  return err;
}
