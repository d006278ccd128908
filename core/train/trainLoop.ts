import * as tf from '@tensorflow/tfjs';
import { featureSize, type Dataset } from '../data/dataset.ts';
import { augmentBatch, imageGeometry } from '../data/augment.ts';
import { deriveSeed, permutation, Rng } from '../data/random.ts';
import { distillationHardTerm, distillationLoss } from '../distill/loss.ts';
import type { AugmentSettings } from '../spec/augment.ts';
import { ChorusError, TaskYieldedError } from '../errors.ts';
import type { TaskProgress } from '../tasks/taskProgress.ts';
import type { TrainingHistory } from '../tasks/taskResult.ts';
import { applyGradientStep } from './applyGradientStep.ts';
import type { Checkpointer } from './checkpoint.ts';
import { setOptimizerLearningRate } from './optimizerLearningRate.ts';
import { sparseSoftmaxCrossEntropy } from './sparseSoftmaxCrossEntropy.ts';
import { TrainRecipe, type RecipeSettings } from './trainRecipe.ts';
import { finiteLoss } from './finiteLoss.ts';
import { regressionLossOf } from './regression/regressionLossOf.ts';
import { regressionBatch, regressionStep, type RegressionTraining } from './regression/regressionStep.ts';
import type { OutputHead } from '../spec/jobTask.ts';

/**
 * Distillation settings: the teacher's probabilities at `temperature`, either precomputed for every
 * sample (`softTargets`, one row per sample: offline) or computed per batch by `teacher` from the very
 * samples the student sees, augmented or not (online).
 */
export interface DistillTargets {
  softTargets?: Float32Array;
  teacher?: OnlineTeacher;
  temperature: number;
  alpha: number;
}

/** The teacher's soft targets at temperature T for the first `count` samples of a batch, [count, classes]. */
export type OnlineTeacher = (x: Float32Array, count: number) => Float32Array;

export type { RegressionTraining } from './regression/regressionStep.ts';

export interface TrainLoopOptions {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  data: Dataset;
  classes: number;
  /** Rows of `data` to train on, e.g. a bootstrap sample; default every row. */
  rows?: Int32Array;
  /** When given, the loss is the distillation loss; otherwise cross-entropy on the labels. */
  distill?: DistillTargets;
  /** When given, the data's targets are regressed (regressionLoss) instead of its labels classified. */
  regression?: RegressionTraining;
  /**
   * Schedule, weight decay, label smoothing, clipping, class weights, early stopping; `path` names the
   * settings in the job file. Default: a constant learning rate (the optimizer's), nothing else.
   */
  recipe?: { settings: RecipeSettings; path: string };
  /** Augmentation of each training batch, its stream seeded per epoch from `seed` (a resume replays it). */
  augment?: { settings: AugmentSettings; seed: number; path: string };
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
  /**
   * Asked between mini-batches: once it says true, training ends the epoch in progress, writes its
   * checkpoint whatever `checkpointEverySeconds` says, and throws TaskYieldedError (a resume continues
   * from that epoch). Without a checkpointer it throws at once: there is nothing to save.
   */
  yieldRequested?: () => boolean;
}

export interface TrainLoopResult {
  history: TrainingHistory;
  /** Epochs trained in all (fewer than asked when early stopping ended training). */
  epochsRun: number;
  /** With early stopping: the 1-based epoch whose weights were best (and restored, if asked). */
  bestEpoch?: number;
  /** Seconds spent computing an online teacher's targets (part of `seconds`). */
  teacherSeconds: number;
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
  const recipe = o.recipe
    ? new TrainRecipe(o.recipe.settings, o.epochs, o.classes, o.data, o.rows, o.recipe.path)
    : undefined;
  const batchTargets = recipe?.hardTargets ? new Float32Array(batchSize * o.classes) : undefined;
  const regression = o.regression ? regressionBatch(o.regression, o.data, batchSize) : undefined;
  const geometry = o.augment ? imageGeometry(o.data.sampleShape, o.augment.path) : undefined;
  const scratch = o.augment ? new Float32Array(size) : undefined;
  const hasValidation = o.validation !== undefined && o.validation.count > 0;

  let history: TrainingHistory = { loss: [], ...(o.validation ? { valLoss: [] } : {}) };
  let firstEpoch = 0;
  const restored = await o.checkpoint?.restore(o.model, o.optimizer);
  if (restored) {
    firstEpoch = restored.epoch;
    history = restored.history;
    if (recipe && restored.recipe) recipe.restore(restored.recipe, restored.bestWeights);
  }
  let teacherMs = 0;

  let samples = 0;
  let lastReport = 0;
  const checkpointEveryMs = (o.checkpointEverySeconds ?? 0) * 1000;
  let lastCheckpoint = performance.now();
  // An epoch's checkpoint is copied at the epoch boundary and written while the next epoch trains
  // (file or network I/O, fsync): one write at a time, each awaited before the next one starts.
  let writing: Promise<void> | undefined;
  try {
    for (let epoch = firstEpoch; epoch < o.epochs && !recipe?.stopped; epoch++) {
      const order = permutation(n, deriveSeed(o.seed, epoch));
      const learningRate = recipe?.schedule.rateAt(epoch);
      if (learningRate !== undefined) setOptimizerLearningRate(o.optimizer, learningRate);
      const augmentRng = o.augment ? new Rng(deriveSeed(o.augment.seed, epoch)) : undefined;
      const epochStart = performance.now();
      let lossSum = 0;
      let lossCount = 0;
      for (let b = 0; b < batches; b++) {
        if (o.signal?.aborted) throw abortError();
        if (!o.checkpoint && o.yieldRequested?.()) throw yieldedError();
        const start = b * batchSize;
        const count = Math.min(batchSize, n - start);
        for (let i = 0; i < count; i++) {
          const row = rows[order[start + i]!]!;
          batchX.set(o.data.x.subarray(row * size, (row + 1) * size), i * size);
          batchY[i] = o.data.y[row]!;
          regression?.take(i, row);
          if (batchSoft && o.distill?.softTargets) {
            batchSoft.set(
              o.distill.softTargets.subarray(row * o.classes, (row + 1) * o.classes),
              i * o.classes,
            );
          }
        }
        if (o.augment && geometry && augmentRng && scratch) {
          augmentBatch(batchX, count, geometry, o.augment.settings, augmentRng, scratch);
        }
        const stepStarted = performance.now();
        if (batchSoft && o.distill?.teacher) {
          batchSoft.set(o.distill.teacher(batchX, count));
          teacherMs += performance.now() - stepStarted;
        }
        recipe?.hardTargets?.fill(batchY, count, batchTargets!);
        const adjust = {
          learningRate: learningRate ?? 0,
          weightDecay: recipe?.settings.weightDecay ?? 0,
          ...(recipe?.settings.clipNorm !== undefined ? { clipNorm: recipe.settings.clipNorm } : {}),
        };
        const loss = regression
          ? regressionStep(
              o.model,
              o.optimizer,
              o.data,
              o.regression!.head,
              regression,
              batchX,
              count,
              varList,
              adjust,
            )
          : step(o, batchX, batchY, batchTargets, batchSoft, count, varList, adjust);
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
      let val: { valLoss: number; valAccuracy: number } | undefined;
      if (o.validation && hasValidation) {
        // A regression model has no accuracy (early stopping on it is refused for regression jobs).
        val = o.regression
          ? { valLoss: regressionValidationLoss(o.model, o.validation, o.regression.head), valAccuracy: NaN }
          : evaluateOn(o.model, o.validation, o.classes);
        history.valLoss = [...(history.valLoss ?? []), val.valLoss];
        if (recipe && !o.regression) history.valAccuracy = [...(history.valAccuracy ?? []), val.valAccuracy];
      }
      if (learningRate !== undefined) history.learningRate = [...(history.learningRate ?? []), learningRate];
      recipe?.endEpoch(o.model, epoch + 1, val);
      // A request to yield arrives as a message: let it in at least once an epoch.
      if (o.yieldRequested) await new Promise((r) => setImmediate(r));
      // A yield saves this epoch now; after the last epoch there is nothing left to give back.
      const yielding = epoch + 1 < o.epochs && !recipe?.stopped && o.yieldRequested?.() === true;
      if (o.checkpoint && (yielding || performance.now() - lastCheckpoint >= checkpointEveryMs)) {
        lastCheckpoint = performance.now();
        writing = (await checkpointInBackground(o.checkpoint, writing, epoch + 1, o, history, recipe)).done;
      }
      if (yielding) {
        await writing;
        throw yieldedError(epoch + 1);
      }
    }
    await writing;
    recipe?.restoreBest(o.model);
  } catch (err) {
    await writing?.catch(() => {}); // settle the write before the caller (a retry) reads the checkpoint
    throw err;
  }
  const stopping = recipe?.earlyStopping?.state;
  return {
    history,
    epochsRun: history.loss.length,
    ...(stopping ? { bestEpoch: stopping.bestEpoch } : {}),
    teacherSeconds: teacherMs / 1000,
    resumedFromEpoch: firstEpoch,
    samples,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Waits for the previous checkpoint write, snapshots this epoch, and starts writing it. */
async function checkpointInBackground(
  checkpoint: Checkpointer,
  previous: Promise<void> | undefined,
  epoch: number,
  o: TrainLoopOptions,
  history: TrainingHistory,
  recipe: TrainRecipe | undefined,
): Promise<{ done: Promise<void> }> {
  const snapshot = await checkpoint.snapshot(
    epoch,
    o.model,
    o.optimizer,
    history,
    recipe ? { state: recipe.state, ...(recipe.best ? { bestWeights: recipe.best } : {}) } : undefined,
  );
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
  batchTargets: Float32Array | undefined,
  batchSoft: Float32Array | undefined,
  count: number,
  varList: tf.Variable[],
  adjust: Parameters<typeof applyGradientStep>[3],
): number {
  const size = batchX.length / batchY.length;
  const lossTensor = tf.tidy(() => {
    const xs = tf.tensor(batchX.subarray(0, count * size), [count, ...o.data.sampleShape]);
    // Smoothed or class-weighted targets replace the class indices as rows (see HardTargets).
    const labels = batchTargets
      ? tf.tensor2d(batchTargets.subarray(0, count * o.classes), [count, o.classes])
      : tf.tensor1d(batchY.subarray(0, count), 'int32');
    const soft =
      batchSoft && o.distill
        ? tf.tensor2d(batchSoft.subarray(0, count * o.classes), [count, o.classes])
        : undefined;
    return applyGradientStep(
      o.optimizer,
      () => {
        const logits = o.model.apply(xs, { training: true }) as tf.Tensor2D;
        if (soft && o.distill) {
          return distillationLoss(labels, logits, soft, o.distill.temperature, o.distill.alpha);
        }
        if (labels.rank === 2) return distillationHardTerm(labels, logits);
        return sparseSoftmaxCrossEntropy(labels as tf.Tensor1D, logits, o.classes);
      },
      varList,
      adjust,
    );
  });
  return finiteLoss(lossTensor);
}

/** The regression loss (MSE or Gaussian NLL, standardised units) of the model on a dataset. */
export function regressionValidationLoss(model: tf.LayersModel, ds: Dataset, head: OutputHead): number {
  return regressionLossOf(predictLogits(model, ds), ds.targets ?? new Float32Array(0), head);
}

/** Mean cross-entropy of the model's logits on a dataset, in batches. */
export function crossEntropyOn(model: tf.LayersModel, ds: Dataset, classes: number): number {
  return evaluateOn(model, ds, classes).valLoss;
}

/** Mean cross-entropy and accuracy (argmax, ties to the lowest class) of the model on a dataset. */
export function evaluateOn(
  model: tf.LayersModel,
  ds: Dataset,
  classes: number,
): { valLoss: number; valAccuracy: number } {
  const logits = predictLogits(model, ds);
  let sum = 0;
  let correct = 0;
  for (let r = 0; r < ds.count; r++) {
    const off = r * classes;
    let max = -Infinity;
    let arg = 0;
    for (let c = 0; c < classes; c++) {
      if (logits[off + c]! > max) arg = c;
      max = Math.max(max, logits[off + c]!);
    }
    let z = 0;
    for (let c = 0; c < classes; c++) z += Math.exp(logits[off + c]! - max);
    sum += -(logits[off + ds.y[r]!]! - max - Math.log(z));
    if (arg === ds.y[r]) correct++;
  }
  return { valLoss: sum / ds.count, valAccuracy: ds.count > 0 ? correct / ds.count : 0 };
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

function yieldedError(checkpointedEpoch?: number): TaskYieldedError {
  return new TaskYieldedError(
    checkpointedEpoch === undefined
      ? 'gave its slot back (no checkpoint to keep)'
      : `gave its slot back after epoch ${checkpointedEpoch}, checkpointed`,
  );
}

function abortError(): Error {
  const err = new ChorusError('the task was cancelled');
  err.name = 'AbortError';
  return err;
}
