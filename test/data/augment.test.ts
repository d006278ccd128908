import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { FsArtifactStore } from '../../core/artifacts/fsArtifactStore.ts';
import { augmentBatch, imageGeometry } from '../../core/data/augment.ts';
import type { Dataset } from '../../core/data/dataset.ts';
import { Rng } from '../../core/data/random.ts';
import { augmentSpec } from '../../core/spec/augment.ts';
import { trainSettings } from '../../core/spec/job.ts';
import { Checkpointer } from '../../core/train/checkpoint.ts';
import { evaluateOn, trainLoop, type TrainLoopOptions } from '../../core/train/trainLoop.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

before(async () => {
  await tf.setBackend('cpu');
});

const G = { height: 5, width: 4, channels: 2 };
const SIZE = 5 * 4 * 2;

/** Distinct values per pixel and channel: 1 + index. */
function images(count: number): Float32Array {
  return Float32Array.from({ length: count * SIZE }, (_, i) => 1 + i);
}

/** The documented transform, written the obvious way, with the same draws in the same order. */
function reference(
  x: Float32Array,
  count: number,
  a: ReturnType<typeof augmentSpec.parse>,
  rng: Rng,
): Float32Array {
  const out = new Float32Array(x.length);
  const { height: h, width: w, channels: c } = G;
  for (let i = 0; i < count; i++) {
    const dy = a.translate > 0 ? rng.nextInt(2 * a.translate + 1) - a.translate : 0;
    const dx = a.translate > 0 ? rng.nextInt(2 * a.translate + 1) - a.translate : 0;
    const flip = a.flip && rng.nextUint32() >= 0x80000000;
    const cy = a.cutout > 0 ? rng.nextInt(h) : -1;
    const cx = a.cutout > 0 ? rng.nextInt(w) : -1;
    const half = a.cutout >> 1;
    for (let y = 0; y < h; y++)
      for (let col = 0; col < w; col++)
        for (let k = 0; k < c; k++) {
          const sy = y + dy;
          const sx = (flip ? w - 1 - col : col) + dx;
          let v = sy >= 0 && sy < h && sx >= 0 && sx < w ? x[i * SIZE + (sy * w + sx) * c + k]! : 0;
          if (
            a.cutout > 0 &&
            y >= cy - half &&
            y < cy - half + a.cutout &&
            col >= cx - half &&
            col < cx - half + a.cutout
          )
            v = 0;
          out[i * SIZE + (y * w + col) * c + k] = v;
        }
  }
  return out;
}

test('translation, flip and cutout match the documented transform, draw for draw', () => {
  for (const settings of [
    { translate: 1 },
    { flip: true },
    { cutout: 2 },
    { cutout: 3 },
    { translate: 2, flip: true, cutout: 2 },
  ]) {
    const a = augmentSpec.parse(settings);
    const x = images(16);
    augmentBatch(x, 16, G, a, new Rng(7), new Float32Array(SIZE));
    assert.deepEqual(x, reference(images(16), 16, a, new Rng(7)), JSON.stringify(settings));
    assert.notDeepEqual(x, images(16), `${JSON.stringify(settings)} changed something`);
  }
});

test('the same seed gives the same views; another seed other views; rows past count are untouched', () => {
  const a = augmentSpec.parse({ translate: 1, flip: true, cutout: 2 });
  const run = (seed: number) => {
    const x = images(8);
    augmentBatch(x, 6, G, a, new Rng(seed), new Float32Array(SIZE));
    return x;
  };
  assert.deepEqual(run(3), run(3));
  assert.notDeepEqual(run(3), run(4));
  assert.deepEqual(run(3).subarray(6 * SIZE), images(8).subarray(6 * SIZE));
});

test('flat samples are refused with the field named', () => {
  assert.throws(() => imageGeometry([784], 'members[1].augment'), {
    message: /members\[1\]\.augment: augmentation needs image-shaped samples/,
  });
  assert.deepEqual(imageGeometry([28, 28], 'data.augment'), { height: 28, width: 28, channels: 1 });
});

/** 6×6 one-channel images whose class is where a bright square sits; validation without augmentation. */
function squares(count: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = new Float32Array(count * 36);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    y[i] = rng.nextInt(2);
    const col = y[i] === 0 ? 1 : 3;
    for (let r = 1; r < 4; r++) for (let c = col; c < col + 2; c++) x[i * 36 + r * 6 + c] = 1;
  }
  return { x, y, count, sampleShape: [6, 6, 1], classes: 2 };
}

const model = () =>
  tf.sequential({ layers: [tf.layers.flatten({ inputShape: [6, 6, 1] }), tf.layers.dense({ units: 2 })] });

test('training only: data and validation are left as they were, and validation scores the raw images', async () => {
  const data = squares(64, 1);
  const validation = squares(32, 2);
  const before = { x: data.x.slice(), vx: validation.x.slice() };
  const m = model();
  const run = await trainLoop({
    model: m,
    optimizer: tf.train.adam(0.05),
    data,
    classes: 2,
    epochs: 3,
    batchSize: 16,
    seed: 1,
    validation,
    recipe: { settings: trainSettings.parse({ learningRate: 0.05 }), path: 'members[0].train' },
    augment: {
      settings: augmentSpec.parse({ translate: 1, flip: true, cutout: 2 }),
      seed: 5,
      path: 'data.augment',
    },
  });
  assert.deepEqual(data.x, before.x);
  assert.deepEqual(validation.x, before.vx);
  assert.equal(run.history.valLoss!.at(-1), evaluateOn(m, validation, 2).valLoss);
  m.dispose();
});

test('a resumed run continues the same augmentation stream: 3 epochs = 1 epoch, checkpoint, 2 more', async () => {
  const root = await mkdtemp(join(tmpdir(), 'chorus-augment-'));
  try {
    const store = new FsArtifactStore(root);
    const options = (m: tf.LayersModel, epochs: number, checkpoint?: Checkpointer): TrainLoopOptions => ({
      model: m,
      optimizer: tf.train.adam(0.05),
      data: squares(64, 1),
      classes: 2,
      epochs,
      batchSize: 16,
      seed: 1,
      ...(checkpoint ? { checkpoint } : {}),
      augment: {
        settings: augmentSpec.parse({ translate: 1, flip: true, cutout: 2 }),
        seed: 5,
        path: 'data.augment',
      },
    });
    const straight = model();
    const start = straight.getWeights().map((w) => w.clone());
    await trainLoop(options(straight, 3));

    const resumed = model();
    resumed.setWeights(start);
    await trainLoop(options(resumed, 1, new Checkpointer(store, 'ck')));
    const again = model();
    await trainLoop(options(again, 3, new Checkpointer(store, 'ck')));
    assert.deepEqual(
      again.getWeights().map((w) => Array.from(w.dataSync())),
      straight.getWeights().map((w) => Array.from(w.dataSync())),
    );
    // And augmentation mattered: without it the same 3 epochs end elsewhere.
    const plain = model();
    plain.setWeights(start);
    const { augment: _unused, ...withoutAugment } = options(plain, 3);
    await trainLoop(withoutAugment);
    assert.notDeepEqual(
      plain.getWeights().map((w) => Array.from(w.dataSync())),
      straight.getWeights().map((w) => Array.from(w.dataSync())),
    );
    tf.dispose(start);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
