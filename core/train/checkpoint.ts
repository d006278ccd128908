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
    await this.store.put(`${this.prefix}/${folder}/model.bin`, await pack(weights));
    await this.store.put(`${this.prefix}/${folder}/optimizer.bin`, await pack(named.map((n) => n.tensor)));
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
    if (previous && previous.folder !== folder)
      await this.store.deletePrefix(`${this.prefix}/${previous.folder}`);
  }

  /** Restores weights and optimizer state into the given (freshly built) model and optimizer. */
  async restore(model: tf.LayersModel, optimizer: tf.Optimizer): Promise<RestoredCheckpoint | undefined> {
    const state = await this.readState();
    if (!state) return undefined;
    const modelValues = unpack(await this.store.get(`${this.prefix}/${state.folder}/model.bin`), state.model);
    const optimizerValues = unpack(
      await this.store.get(`${this.prefix}/${state.folder}/optimizer.bin`),
      state.optimizer,
    );
    model.setWeights(modelValues);
    await optimizer.setWeights(
      optimizerValues.map((tensor, i) => ({ name: state.optimizerNames[i] ?? `w${i}`, tensor })),
    );
    tf.dispose(modelValues);
    return { epoch: state.epoch, history: state.history };
  }

  async clear(): Promise<void> {
    await this.store.deletePrefix(this.prefix);
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
