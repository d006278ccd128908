import * as tf from '@tensorflow/tfjs';
import type { ArtifactStore } from '../artifacts/artifactStore.ts';
import type { TrainingHistory } from '../tasks/taskResult.ts';
import type { RecipeState, WeightsCopy } from './trainRecipe.ts';

/**
 * Epoch checkpoints of a training run: model weights, optimizer state (e.g. Adam's moments) and the
 * history so far. Each epoch goes to its own folder and `state.json` is written last, so a crash at
 * any point leaves the previous complete checkpoint in force.
 */

interface TensorMeta {
  shape: number[];
}

interface CheckpointState {
  /** Epochs completed. */
  epoch: number;
  history: TrainingHistory;
  folder: string;
  model: TensorMeta[];
  optimizer: TensorMeta[];
  optimizerNames: string[];
  /** The training recipe's state (schedule, early stopping); absent in checkpoints without one. */
  recipe?: RecipeState;
  /** Shapes of early stopping's best weights, kept in best.bin; absent when none are kept. */
  best?: TensorMeta[];
}

/** What one epoch's folder holds. */
const MODEL_BIN = 'model.bin';
const OPTIMIZER_BIN = 'optimizer.bin';
const BEST_BIN = 'best.bin';
const CHECKPOINT_FILES = [MODEL_BIN, OPTIMIZER_BIN, BEST_BIN] as const;

/** The recipe's part of a checkpoint: its state and, with early stopping, the best epoch's weights. */
export interface RecipeCheckpoint {
  state: RecipeState;
  bestWeights?: WeightsCopy;
}

/**
 * One epoch's checkpoint as a copy taken at the epoch boundary, so it can be written while training
 * goes on (see Checkpointer.snapshot and write).
 */
export interface CheckpointSnapshot {
  epoch: number;
  history: TrainingHistory;
  modelBytes: Uint8Array;
  optimizerBytes: Uint8Array;
  model: TensorMeta[];
  optimizer: TensorMeta[];
  optimizerNames: string[];
  recipe?: RecipeState;
  bestBytes?: Uint8Array;
  best?: TensorMeta[];
}

export interface RestoredCheckpoint {
  epoch: number;
  history: TrainingHistory;
  recipe?: RecipeState;
  bestWeights?: WeightsCopy;
}

export class Checkpointer {
  constructor(
    private readonly store: ArtifactStore,
    private readonly prefix: string,
  ) {}

  /** Takes this epoch's snapshot and writes it (see snapshot and write). */
  async save(
    epoch: number,
    model: tf.LayersModel,
    optimizer: tf.Optimizer,
    history: TrainingHistory,
    recipe?: RecipeCheckpoint,
  ): Promise<void> {
    await this.write(await this.snapshot(epoch, model, optimizer, history, recipe));
  }

  /**
   * Copies the weights, the optimizer state and the history now. Once this resolves, training may go
   * on while `write` stores the copy.
   */
  async snapshot(
    epoch: number,
    model: tf.LayersModel,
    optimizer: tf.Optimizer,
    history: TrainingHistory,
    recipe?: RecipeCheckpoint,
  ): Promise<CheckpointSnapshot> {
    const weights = model.getWeights();
    const named = await optimizer.getWeights();
    const best = recipe?.bestWeights;
    // Read synchronously after the last await: no training step can run between these reads.
    return {
      epoch,
      history: structuredClone(history),
      ...(recipe ? { recipe: structuredClone(recipe.state) } : {}),
      ...(best
        ? { bestBytes: packArrays(best.values), best: best.shapes.map((shape) => ({ shape: [...shape] })) }
        : {}),
      modelBytes: pack(weights),
      optimizerBytes: pack(named.map((n) => n.tensor)),
      model: weights.map((w) => ({ shape: w.shape })),
      optimizer: named.map((n) => ({ shape: n.tensor.shape })),
      optimizerNames: named.map((n) => n.name),
    };
  }

  /**
   * Stores a snapshot: its epoch's folder, then state.json naming it, then the previous folder goes.
   * A crash at any point leaves the previous complete checkpoint in force.
   */
  async write(s: CheckpointSnapshot): Promise<void> {
    const folder = `epoch-${s.epoch}`;
    await this.store.put(`${this.prefix}/${folder}/${MODEL_BIN}`, s.modelBytes);
    await this.store.put(`${this.prefix}/${folder}/${OPTIMIZER_BIN}`, s.optimizerBytes);
    if (s.bestBytes) await this.store.put(`${this.prefix}/${folder}/${BEST_BIN}`, s.bestBytes);
    const previous = await this.readState();
    const state: CheckpointState = {
      epoch: s.epoch,
      history: s.history,
      folder,
      model: s.model,
      optimizer: s.optimizer,
      optimizerNames: s.optimizerNames,
      ...(s.recipe ? { recipe: s.recipe } : {}),
      ...(s.best ? { best: s.best } : {}),
    };
    await this.store.put(`${this.prefix}/state.json`, new TextEncoder().encode(JSON.stringify(state)));
    if (previous && previous.folder !== folder) await this.deleteFolder(previous.folder);
  }

  /** Restores weights and optimizer state into the given (freshly built) model and optimizer. */
  async restore(model: tf.LayersModel, optimizer: tf.Optimizer): Promise<RestoredCheckpoint | undefined> {
    const state = await this.readState();
    if (!state) return undefined;
    const modelValues = unpack(
      await this.store.get(`${this.prefix}/${state.folder}/${MODEL_BIN}`),
      state.model,
    );
    const optimizerValues = unpack(
      await this.store.get(`${this.prefix}/${state.folder}/${OPTIMIZER_BIN}`),
      state.optimizer,
    );
    model.setWeights(modelValues);
    await optimizer.setWeights(
      optimizerValues.map((tensor, i) => ({ name: state.optimizerNames[i] ?? `w${i}`, tensor })),
    );
    tf.dispose(modelValues);
    const bestWeights = state.best
      ? unpackArrays(await this.store.get(`${this.prefix}/${state.folder}/${BEST_BIN}`), state.best)
      : undefined;
    return {
      epoch: state.epoch,
      history: state.history,
      ...(state.recipe ? { recipe: state.recipe } : {}),
      ...(bestWeights ? { bestWeights } : {}),
    };
  }

  /**
   * Removes the checkpoint. Besides the current folder, every earlier epoch's folder is removed too: a
   * crash between writing state.json and removing the previous folder leaves that folder behind.
   * Known keys only, because listing a prefix reads the whole bucket in the NATS Object Store.
   */
  async clear(): Promise<void> {
    const state = await this.readState();
    if (!state) return;
    const folders = Array.from({ length: state.epoch }, (_, i) => `epoch-${i + 1}`);
    if (!folders.includes(state.folder)) folders.push(state.folder);
    // state.json first: a crash part-way leaves unreferenced folders, never a state naming a removed one.
    await this.store.delete(`${this.prefix}/state.json`);
    await Promise.all(folders.map((f) => this.deleteFolder(f)));
  }

  private async deleteFolder(folder: string): Promise<void> {
    for (const file of CHECKPOINT_FILES) await this.store.delete(`${this.prefix}/${folder}/${file}`);
  }

  private async readState(): Promise<CheckpointState | undefined> {
    if (!(await this.store.has(`${this.prefix}/state.json`))) return undefined;
    return JSON.parse(
      new TextDecoder().decode(await this.store.get(`${this.prefix}/state.json`)),
    ) as CheckpointState;
  }
}

function pack(tensors: tf.Tensor[]): Uint8Array {
  const total = tensors.reduce((n, t) => n + t.size, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const t of tensors) {
    out.set(t.dataSync<'float32'>(), offset);
    offset += t.size;
  }
  return new Uint8Array(out.buffer);
}

function packArrays(arrays: Float32Array[]): Uint8Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return new Uint8Array(out.buffer);
}

function unpackArrays(bytes: Uint8Array, metas: TensorMeta[]): WeightsCopy {
  const values = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(values.buffer).set(bytes);
  let offset = 0;
  const arrays = metas.map((m) => {
    const size = m.shape.reduce((a, b) => a * b, 1);
    const a = values.slice(offset, offset + size);
    offset += size;
    return a;
  });
  return { values: arrays, shapes: metas.map((m) => [...m.shape]) };
}

function unpack(bytes: Uint8Array, metas: TensorMeta[]): tf.Tensor[] {
  const values = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(values.buffer).set(bytes);
  let offset = 0;
  return metas.map((m) => {
    const size = m.shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(values.subarray(offset, offset + size), m.shape, 'float32');
    offset += size;
    return t;
  });
}
