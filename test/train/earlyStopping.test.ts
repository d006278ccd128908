import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { makeSynthetic } from '../../core/data/synthetic.ts';
import { trainSettings } from '../../core/spec/job.ts';
import { EarlyStopping } from '../../core/train/earlyStopping.ts';
import { evaluateOn, trainLoop } from '../../core/train/trainLoop.ts';

before(async () => {
  await tf.setBackend('cpu');
});

const spec = (s: unknown) => trainSettings.parse({ earlyStopping: s }).earlyStopping!;

test('EarlyStopping: improvement beyond minDelta resets the count; patience ends training', () => {
  const es = new EarlyStopping(spec({ metric: 'valLoss', patience: 2, minDelta: 0.05 }));
  assert.equal(es.observe(1, { valLoss: 1, valAccuracy: 0 }), true);
  assert.equal(es.observe(2, { valLoss: 0.97, valAccuracy: 0 }), false, 'not better by more than minDelta');
  assert.equal(es.observe(3, { valLoss: 0.9, valAccuracy: 0 }), true);
  assert.equal(es.observe(4, { valLoss: 0.9, valAccuracy: 0 }), false);
  assert.equal(es.stopped, false);
  assert.equal(es.observe(5, { valLoss: 0.88, valAccuracy: 0 }), false);
  assert.equal(es.stopped, true);
  assert.deepEqual(es.state, { best: 0.9, bestEpoch: 3, wait: 2, stopped: true });

  const acc = new EarlyStopping(spec({ metric: 'valAccuracy', patience: 1 }));
  acc.observe(1, { valLoss: 0, valAccuracy: 0.5 });
  assert.equal(acc.observe(2, { valLoss: 0, valAccuracy: 0.6 }), true, 'higher accuracy is better');
  acc.observe(3, { valLoss: 0, valAccuracy: 0.6 });
  assert.equal(acc.stopped, true);
});

test('trainLoop stops early and restores the best epoch’s weights', async () => {
  // Few, noisy rows and a wide layer: the validation loss turns up after a few epochs.
  const data = makeSynthetic({ count: 60, features: 20, classes: 3, separation: 1, seed: 5 });
  const validation = makeSynthetic({
    count: 200,
    features: 20,
    classes: 3,
    separation: 1,
    seed: 5,
    sampleSeed: 9,
  });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 64, activation: 'relu', inputShape: [20] }),
      tf.layers.dense({ units: 3 }),
    ],
  });
  const settings = trainSettings.parse({ learningRate: 0.02, earlyStopping: { patience: 3 } });
  const run = await trainLoop({
    model,
    optimizer: tf.train.adam(0.02),
    data,
    classes: 3,
    epochs: 100,
    batchSize: 8,
    seed: 2,
    validation,
    recipe: { settings, path: 'members[0].train' },
  });
  const valLoss = run.history.valLoss!;
  assert.ok(run.epochsRun < 100, `stopped after ${run.epochsRun} epochs`);
  assert.equal(run.history.loss.length, run.epochsRun);
  const best = run.bestEpoch!;
  assert.equal(valLoss[best - 1], Math.min(...valLoss), 'the best epoch has the lowest validation loss');
  assert.equal(run.epochsRun, best + 3, 'patience 3');
  // The weights kept are the best epoch's, not the last one's.
  assert.notEqual(valLoss[run.epochsRun - 1], valLoss[best - 1]);
  assert.equal(evaluateOn(model, validation, 3).valLoss, valLoss[best - 1]);
  model.dispose();
});
