import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/data/random.ts';
import { ModelSpecError, NonRetryableError } from '../../core/errors.ts';
import { buildStackingCombiner, trainStackingCombiner } from '../../core/model/stacking.ts';
import { predictFlat, useCpu, weightValues } from './helpers.ts';

before(useCpu);

const C = 5;
const M = 4;

/**
 * Member 0 is always right but unsure (0.45 on the true class); members 1..3 are confidently (0.85)
 * backing a random class. Soft voting is mostly fooled; a combiner that learns to trust member 0 is not.
 */
function synthetic(n: number, seed: number): { features: Float32Array; labels: Int32Array } {
  const rng = new Rng(seed);
  const features = new Float32Array(n * M * C);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = rng.nextInt(C);
    labels[i] = y;
    for (let m = 0; m < M; m++) {
      const [top, peak] = m === 0 ? [y, 0.45] : [rng.nextInt(C), 0.85];
      for (let k = 0; k < C; k++) features[(i * M + m) * C + k] = k === top ? peak : (1 - peak) / (C - 1);
    }
  }
  return { features, labels };
}

const argmax = (row: ArrayLike<number>, offset: number, width: number): number => {
  let best = 0;
  for (let k = 1; k < width; k++) if ((row[offset + k] as number) > (row[offset + best] as number)) best = k;
  return best;
};

const accuracy = (predict: (i: number) => number, labels: Int32Array): number => {
  let hits = 0;
  labels.forEach((y, i) => (hits += predict(i) === y ? 1 : 0));
  return hits / labels.length;
};

const settings = { members: M, classes: C, seed: 5, epochs: 15, batchSize: 64, learningRate: 0.05 };

test('the trained combiner beats the members and soft voting, and reaches > 0.9', async () => {
  const train = synthetic(1000, 1);
  const held = synthetic(500, 2);
  const { model, history } = await trainStackingCombiner(train.features, train.labels, settings);

  const x = tf.tensor2d(held.features, [500, M * C]);
  const logits = predictFlat(model, x);
  x.dispose();
  const combiner = accuracy((i) => argmax(logits, i * C, C), held.labels);

  const memberAccuracies = Array.from({ length: M }, (_, m) =>
    accuracy((i) => argmax(held.features, (i * M + m) * C, C), held.labels),
  );
  const meanMember = memberAccuracies.reduce((a, b) => a + b, 0) / M;
  const softVote = accuracy((i) => {
    const mean = new Float64Array(C);
    for (let m = 0; m < M; m++)
      for (let k = 0; k < C; k++)
        mean[k] = (mean[k] as number) + (held.features[(i * M + m) * C + k] as number);
    return argmax(mean, 0, C);
  }, held.labels);

  assert.equal(memberAccuracies[0], 1);
  assert.ok(combiner > 0.9, `combiner accuracy ${combiner}`);
  assert.ok(combiner > meanMember, `combiner ${combiner} vs mean member ${meanMember}`);
  assert.ok(combiner > softVote, `combiner ${combiner} vs soft vote ${softVote}`);
  assert.equal(history.length, settings.epochs);
  assert.ok((history.at(-1) ?? Infinity) < (history[0] ?? 0) / 2, `loss ${history[0]} -> ${history.at(-1)}`);
  model.dispose();
});

test('the combiner maps [members * classes] to [classes] logits with one Dense layer', () => {
  const model = buildStackingCombiner({ members: 3, classes: 10, seed: 1 });
  assert.deepEqual(model.inputs[0]?.shape, [null, 30]);
  assert.deepEqual(model.outputs[0]?.shape, [null, 10]);
  assert.equal(model.layers.length, 1);
  assert.equal(model.layers[0]?.getConfig()['activation'], 'linear');
  model.dispose();
});

test('training is reproducible from the seed and changes with it', async () => {
  const data = synthetic(300, 3);
  const quick = { ...settings, epochs: 3 };
  const a = await trainStackingCombiner(data.features, data.labels, quick);
  const b = await trainStackingCombiner(data.features, data.labels, quick);
  const c = await trainStackingCombiner(data.features, data.labels, { ...quick, seed: 6 });
  assert.deepEqual(weightValues(b.model), weightValues(a.model));
  assert.deepEqual(b.history, a.history);
  assert.notDeepEqual(weightValues(c.model), weightValues(a.model));
  [a, b, c].forEach((r) => r.model.dispose());
});

test('bad inputs are refused with messages naming what is wrong, without leaking tensors', async () => {
  const data = synthetic(10, 4);
  const before = tf.memory().numTensors;
  await assert.rejects(
    trainStackingCombiner(data.features.subarray(1), data.labels, settings),
    (e: unknown) => {
      assert.ok(e instanceof NonRetryableError);
      assert.match(e.message, /expected 10 examples x 4 members x 5 classes = 200/);
      return true;
    },
  );
  const labels = data.labels.slice();
  labels[3] = C;
  await assert.rejects(
    trainStackingCombiner(data.features, labels, settings),
    /labels\[3\] = 5 is outside \[0, 5\)/,
  );
  await assert.rejects(
    trainStackingCombiner(data.features, data.labels, { ...settings, epochs: 0 }),
    ModelSpecError,
  );
  await assert.rejects(
    trainStackingCombiner(data.features, data.labels, { ...settings, members: 0 }),
    /members:/,
  );
  await assert.rejects(
    trainStackingCombiner(data.features, data.labels, { ...settings, learningRate: -1 }),
    /learningRate:/,
  );
  assert.equal(tf.memory().numTensors, before);
});
