import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { makeSynthetic } from '../../core/data/synthetic.ts';
import { trainSettings } from '../../core/spec/job.ts';
import { LearningRateSchedule } from '../../core/train/learningRateSchedule.ts';
import { trainLoop } from '../../core/train/trainLoop.ts';

before(async () => {
  await tf.setBackend('cpu');
});

const schedule = (spec: unknown) => trainSettings.parse({ schedule: spec }).schedule;
const rates = (s: LearningRateSchedule, epochs: number) =>
  Array.from({ length: epochs }, (_, e) => s.rateAt(e));
const close = (actual: number[], expected: number[]) => {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) =>
    assert.ok(Math.abs(a - expected[i]!) < 1e-12, `epoch ${i}: ${a} vs ${expected[i]}`),
  );
};

test('constant is the base rate every epoch; warm-up climbs linearly to it', () => {
  close(
    rates(new LearningRateSchedule(schedule({ type: 'constant' }), 0.01, 4), 4),
    [0.01, 0.01, 0.01, 0.01],
  );
  close(
    rates(new LearningRateSchedule(schedule({ type: 'constant', warmupEpochs: 4 }), 0.01, 6), 6),
    [0.0025, 0.005, 0.0075, 0.01, 0.01, 0.01],
  );
});

test('step multiplies by factor every everyEpochs epochs after warm-up', () => {
  const s = new LearningRateSchedule(
    schedule({ type: 'step', everyEpochs: 2, factor: 0.5, warmupEpochs: 1 }),
    0.1,
    6,
  );
  close(rates(s, 6), [0.1, 0.1, 0.1, 0.05, 0.05, 0.025]);
});

test('cosine: warm-up, then half a cosine from the base rate towards minLearningRate', () => {
  const s = new LearningRateSchedule(
    schedule({ type: 'cosine', warmupEpochs: 2, minLearningRate: 0.001 }),
    0.011,
    6,
  );
  // After 2 warm-up epochs, 4 cosine epochs: 0.001 + 0.01 · (1 + cos(π e / 4)) / 2 for e = 0..3.
  close(rates(s, 6), [
    0.0055,
    0.011,
    0.011,
    0.001 + 0.005 * (1 + Math.SQRT1_2),
    0.006,
    0.001 + 0.005 * (1 - Math.SQRT1_2),
  ]);
});

test('plateau lowers the rate after patience epochs without improvement, and its state resumes', () => {
  const spec = schedule({ type: 'plateau', factor: 0.5, patience: 2, minDelta: 0.01, minLearningRate: 0.2 });
  const s = new LearningRateSchedule(spec, 1, 10);
  const seen: number[] = [];
  const losses = [1.0, 0.9, 0.895, 0.894, 0.7, 0.7, 0.7, 0.7, 0.7];
  losses.forEach((loss, e) => {
    seen.push(s.rateAt(e));
    s.observe(e, loss);
    if (e === 5) {
      // A checkpoint round trip mid-way keeps the counter and the current rate.
      const copy = new LearningRateSchedule(spec, 1, 10);
      copy.restore(JSON.parse(JSON.stringify(s.state)));
      assert.deepEqual(copy.state, s.state);
    }
  });
  // 0.895 and 0.894 do not beat 0.9 by more than 0.01: halved after them; 0.7 improves; then two flat
  // epochs halve again (0.25), and two more reach the floor of 0.2.
  close(seen, [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]);
  assert.equal(s.rateAt(9), 0.2);
});

test('trainLoop trains each epoch at its scheduled rate and records it in the history', async () => {
  const data = makeSynthetic({ count: 64, features: 3, classes: 2, separation: 2, seed: 3 });
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  const optimizer = tf.train.sgd(0.1);
  const seenRates: number[] = [];
  const settings = trainSettings.parse({
    learningRate: 0.1,
    optimizer: 'sgd',
    schedule: { type: 'step', everyEpochs: 1, factor: 0.5 },
  });
  const run = await trainLoop({
    model,
    optimizer,
    data,
    classes: 2,
    epochs: 3,
    batchSize: 64,
    seed: 1,
    recipe: { settings, path: 'members[0].train' },
    onStep: () => seenRates.push((optimizer as unknown as { learningRate: number }).learningRate),
  });
  assert.deepEqual(run.history.learningRate, [0.1, 0.05, 0.025]);
  assert.deepEqual(seenRates, [0.1, 0.05, 0.025]);
  model.dispose();
});
