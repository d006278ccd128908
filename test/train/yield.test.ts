import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { FsArtifactStore } from '../../core/artifacts/fsArtifactStore.ts';
import { makeSynthetic } from '../../core/data/synthetic.ts';
import { TaskYieldedError } from '../../core/errors.ts';
import { Checkpointer } from '../../core/train/checkpoint.ts';
import { trainLoop, type TrainLoopOptions } from '../../core/train/trainLoop.ts';

/**
 * A task asked to give its slot back (preemption, a draining worker) ends the epoch in progress,
 * checkpoints it even when `checkpointEverySeconds` would not, and throws TaskYieldedError; the
 * resumed run continues from that epoch and ends with exactly the weights of an uninterrupted run.
 */

before(async () => {
  await tf.setBackend('cpu');
});

const options = (checkpoint: Checkpointer | undefined, yieldRequested?: () => boolean): TrainLoopOptions => {
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: tf.initializers.ones() })],
  });
  return {
    model,
    optimizer: tf.train.adam(0.01),
    data: makeSynthetic({ count: 64, features: 3, classes: 2, separation: 2, seed: 3 }),
    classes: 2,
    epochs: 4,
    batchSize: 16,
    seed: 1,
    // Never by time: only the yield makes this run checkpoint.
    checkpointEverySeconds: 86_400,
    ...(checkpoint ? { checkpoint } : {}),
    ...(yieldRequested ? { yieldRequested } : {}),
  };
};

test('a yield ends the epoch in progress, checkpoints it, and the resume finishes with the uninterrupted weights', async () => {
  const root = await mkdtemp(join(tmpdir(), 'chorus-yield-'));
  try {
    const straight = options(undefined);
    await trainLoop(straight);
    const expected = straight.model.getWeights().map((w) => w.arraySync());

    const store = new FsArtifactStore(root);
    let asked = false;
    const first = options(new Checkpointer(store, 'checkpoints/t'), () => asked);
    // Asked while the second epoch trains (progress is reported at least on each epoch's last batch).
    first.onProgress = (p) => (asked ||= p.epoch === 2);
    await assert.rejects(trainLoop(first), (err: unknown) => {
      assert.ok(err instanceof TaskYieldedError, String(err));
      assert.match(err.message, /after epoch 2, checkpointed/);
      return true;
    });
    assert.equal(await store.has('checkpoints/t/state.json'), true);

    const second = options(new Checkpointer(store, 'checkpoints/t'));
    const run = await trainLoop(second);
    assert.equal(run.resumedFromEpoch, 2);
    assert.equal(run.history.loss.length, 4);
    assert.deepEqual(
      second.model.getWeights().map((w) => w.arraySync()),
      expected,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a yield asked during the last epoch lets training finish; without a checkpointer it stops at once', async () => {
  const root = await mkdtemp(join(tmpdir(), 'chorus-yield-'));
  const last = options(new Checkpointer(new FsArtifactStore(root), 'checkpoints/t'), () => true);
  last.epochs = 1;
  await assert.doesNotReject(trainLoop(last));
  await rm(root, { recursive: true, force: true });
  await assert.rejects(trainLoop(options(undefined, () => true)), TaskYieldedError);
});
