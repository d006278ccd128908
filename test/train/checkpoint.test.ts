import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { FsArtifactStore } from '../../core/artifacts/fsArtifactStore.ts';
import { Checkpointer } from '../../core/train/checkpoint.ts';

before(async () => {
  await tf.setBackend('cpu');
});

const smallModel = (): tf.Sequential =>
  tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });

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
