import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { ArtifactStore } from '../../core/artifacts/artifactStore.ts';
import { FsArtifactStore } from '../../core/artifacts/fsArtifactStore.ts';
import { makeSynthetic } from '../../core/data/synthetic.ts';
import { Checkpointer } from '../../core/train/checkpoint.ts';
import { trainLoop } from '../../core/train/trainLoop.ts';

before(async () => {
  await tf.setBackend('cpu');
});

const smallModel = (): tf.Sequential =>
  tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });

/** Three epochs of trainLoop on 64 synthetic rows, checkpointed by `checkpoint`. */
const threeEpochs = (checkpoint: Checkpointer) => ({
  model: smallModel(),
  optimizer: tf.train.adam(0.01),
  data: makeSynthetic({ count: 64, features: 3, classes: 2, separation: 2, seed: 3 }),
  classes: 2,
  epochs: 3,
  batchSize: 16,
  seed: 1,
  checkpoint,
});

/** `store` with another `put`; the other methods pass through. */
function withPut(store: ArtifactStore, put: ArtifactStore['put']): ArtifactStore {
  return {
    put,
    get: (key) => store.get(key),
    has: (key) => store.has(key),
    delete: (key) => store.delete(key),
    deletePrefix: (prefix) => store.deletePrefix(prefix),
  };
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

test('each epoch replaces the previous folder; restore reads the last one; clear removes every epoch', async () => {
  const root = await mkdtemp(join(tmpdir(), 'chorus-checkpoint-'));
  try {
    const store = new FsArtifactStore(root);
    const ckpt = new Checkpointer(store, 'checkpoints/train_m0');
    const model = smallModel();
    const optimizer = tf.train.adam(0.01);
    const history = { loss: [] as number[] };
    for (let epoch = 1; epoch <= 3; epoch++) {
      optimizer.minimize(() => tf.mean(tf.square(model.predict(tf.ones([4, 3])) as tf.Tensor)) as tf.Scalar);
      history.loss.push(1 / epoch);
      await ckpt.save(epoch, model, optimizer, history);
    }
    assert.deepEqual(await listFiles(root), [
      'checkpoints/train_m0/epoch-3/model.bin',
      'checkpoints/train_m0/epoch-3/optimizer.bin',
      'checkpoints/train_m0/state.json',
    ]);
    const fresh = smallModel();
    const restored = await new Checkpointer(store, 'checkpoints/train_m0').restore(
      fresh,
      tf.train.adam(0.01),
    );
    assert.equal(restored?.epoch, 3);
    assert.deepEqual(fresh.getWeights()[0]?.arraySync(), model.getWeights()[0]?.arraySync());

    // A crash between writing state.json and removing the previous folder leaves that folder behind.
    await store.put('checkpoints/train_m0/epoch-1/model.bin', new Uint8Array(8));
    await store.put('checkpoints/train_m0/epoch-1/optimizer.bin', new Uint8Array(8));
    await store.put('checkpoints/train_m1/state.json', new TextEncoder().encode('{}'));
    await ckpt.clear();
    assert.deepEqual(
      await listFiles(root),
      ['checkpoints/train_m1/state.json'],
      'only the other task is left',
    );
    await ckpt.clear(); // nothing to clear
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a snapshot keeps its epoch: training on before the write does not change what is stored', async () => {
  const root = await mkdtemp(join(tmpdir(), 'chorus-checkpoint-'));
  try {
    const ckpt = new Checkpointer(new FsArtifactStore(root), 'checkpoints/train_s');
    const model = smallModel();
    const optimizer = tf.train.adam(0.1);
    const trainStep = () =>
      optimizer.minimize(
        () => tf.mean(tf.square(tf.sub(model.predict(tf.ones([4, 3])) as tf.Tensor, 1))) as tf.Scalar,
      );
    trainStep();
    const atEpoch = model.getWeights().map((w) => w.arraySync());
    const snapshot = await ckpt.snapshot(1, model, optimizer, { loss: [0.5] });
    for (let i = 0; i < 5; i++) trainStep(); // the next epoch trains while the write is pending
    assert.notDeepEqual(
      model.getWeights().map((w) => w.arraySync()),
      atEpoch,
    );
    await ckpt.write(snapshot);
    const fresh = smallModel();
    const restored = await ckpt.restore(fresh, tf.train.adam(0.1));
    assert.equal(restored?.epoch, 1);
    assert.deepEqual(
      fresh.getWeights().map((w) => w.arraySync()),
      atEpoch,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('trainLoop checkpoints only once checkpointEverySeconds have passed since the last one', async () => {
  const root = await mkdtemp(join(tmpdir(), 'chorus-checkpoint-'));
  try {
    const store = new FsArtifactStore(root);
    const puts: string[] = [];
    const counting = withPut(store, async (key, bytes) => {
      puts.push(key);
      await store.put(key, bytes);
    });
    const run = (prefix: string, checkpointEverySeconds: number) =>
      trainLoop({ ...threeEpochs(new Checkpointer(counting, prefix)), checkpointEverySeconds });
    // Three short epochs well within an hour: none is due.
    await run('checkpoints/rare', 3600);
    assert.equal(puts.length, 0, puts.join(', '));
    // 0: after every epoch (three snapshots of model, optimizer and state).
    await run('checkpoints/every', 0);
    assert.equal(puts.filter((k) => k.endsWith('state.json')).length, 3);
    const restored = await new Checkpointer(store, 'checkpoints/every').restore(
      smallModel(),
      tf.train.adam(0.01),
    );
    assert.equal(restored?.epoch, 3);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('trainLoop writes each checkpoint while the next epoch trains, and fails with a write that fails', async () => {
  const root = await mkdtemp(join(tmpdir(), 'chorus-checkpoint-'));
  try {
    const store = new FsArtifactStore(root);
    const events: string[] = [];
    const slow = withPut(store, async (key, bytes) => {
      events.push(`put ${key.split('/').slice(-2).join('/')}`);
      await new Promise((r) => setTimeout(r, 20));
      await store.put(key, bytes);
    });
    const ok = await trainLoop({
      ...threeEpochs(new Checkpointer(slow, 'checkpoints/train_ok')),
      onProgress: (p) => events.push(`epoch ${p.epoch} batch ${p.batch}`),
    });
    assert.equal(ok.history.loss.length, 3);
    // Epoch 2's first progress comes before epoch 1's state.json is written: the write overlapped.
    const epoch1State = events.indexOf('put train_ok/state.json');
    const epoch2Progress = events.findIndex((e) => e.startsWith('epoch 2'));
    assert.ok(epoch2Progress >= 0 && epoch2Progress < epoch1State, events.join(', '));
    const restored = await new Checkpointer(store, 'checkpoints/train_ok').restore(
      smallModel(),
      tf.train.adam(0.01),
    );
    assert.equal(restored?.epoch, 3, 'the last epoch is written before trainLoop returns');

    const failing = withPut(store, async (key, bytes) => {
      if (key.includes('epoch-2/')) throw new Error(`disk full writing ${key}`);
      await store.put(key, bytes);
    });
    await assert.rejects(
      trainLoop(threeEpochs(new Checkpointer(failing, 'checkpoints/train_bad'))),
      /disk full writing checkpoints\/train_bad\/epoch-2/,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
