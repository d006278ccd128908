import * as tf from '@tensorflow/tfjs';
import type { ArtifactStore } from '../artifacts/artifactStore.ts';
import type { TrainingHistory } from '../tasks/taskResult.ts';

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
}

/** What one epoch's folder holds. */
const MODEL_BIN = 'model.bin';
const OPTIMIZER_BIN = 'optimizer.bin';
const CHECKPOINT_FILES = [MODEL_BIN, OPTIMIZER_BIN] as const;

export interface RestoredCheckpoint {
  epoch: number;
  history: TrainingHistory;
}

export class Checkpointer {
  constructor(
    private readonly store: ArtifactStore,
    private readonly prefix: string,
  ) {}

  async save(
    epoch: number,
    model: tf.LayersModel,
    optimizer: tf.Optimizer,
    history: TrainingHistory,
  ): Promise<void> {
    const folder = `epoch-${epoch}`;
    const weights = model.getWeights();
    const named = await optimizer.getWeights();
    await this.store.put(`${this.prefix}/${folder}/${MODEL_BIN}`, await pack(weights));
    await this.store.put(`${this.prefix}/${folder}/${OPTIMIZER_BIN}`, await pack(named.map((n) => n.tensor)));
    const previous = await this.readState();
    const state: CheckpointState = {
      epoch,
      history,
      folder,
      model: weights.map((w) => ({ shape: w.shape })),
      optimizer: named.map((n) => ({ shape: n.tensor.shape })),
      optimizerNames: named.map((n) => n.name),
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
    return { epoch: state.epoch, history: state.history };
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

async function pack(tensors: tf.Tensor[]): Promise<Uint8Array> {
  const total = tensors.reduce((n, t) => n + t.size, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const t of tensors) {
    out.set(await t.data<'float32'>(), offset);
    offset += t.size;
  }
  return new Uint8Array(out.buffer);
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
