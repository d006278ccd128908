import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../core/model/buildModel.ts';
import { seededDropout } from '../../core/model/seededDropout.ts';
import { layerSpec } from '../../core/spec/layers.ts';
import { useCpu, weightValues } from './helpers.ts';

before(useCpu);

const masks = (layer: tf.layers.Layer, steps: number): Float32Array[] => {
  const x = tf.ones([4, 32]);
  const out: Float32Array[] = [];
  for (let i = 0; i < steps; i++) {
    out.push(tf.tidy(() => (layer.apply(x, { training: true }) as tf.Tensor).dataSync() as Float32Array));
  }
  x.dispose();
  return out;
};

test('training-time masks change at every step yet repeat exactly for the same seed', () => {
  const [m0, m1, m2] = masks(seededDropout({ rate: 0.5, seed: 9 }), 3);
  assert.notDeepEqual(m0, m1);
  assert.notDeepEqual(m1, m2);
  assert.deepEqual(masks(seededDropout({ rate: 0.5, seed: 9 }), 3), [m0, m1, m2]);
  assert.notDeepEqual(masks(seededDropout({ rate: 0.5, seed: 10 }), 1)[0], m0);
  // Inverted dropout: kept units are scaled by 1 / (1 - rate), dropped ones are 0.
  assert.ok(m0?.every((v) => v === 0 || v === 2));
  assert.ok(m0?.some((v) => v === 0) && m0.some((v) => v === 2));
});

test('at inference the layer passes its input through and does not advance the mask sequence', () => {
  const a = seededDropout({ rate: 0.5, seed: 3 });
  const b = seededDropout({ rate: 0.5, seed: 3 });
  const x = tf.ones([2, 8]);
  const inferred = tf.tidy(() => (a.apply(x, { training: false }) as tf.Tensor).dataSync());
  assert.deepEqual(Array.from(inferred), new Array<number>(16).fill(1));
  assert.deepEqual(masks(a, 1), masks(b, 1));
  x.dispose();
});

test('it saves as a stock Dropout without a fixed seed in its config', () => {
  const layer = seededDropout({ rate: 0.3, seed: 1, name: 'drop' });
  assert.equal(layer.getClassName(), 'Dropout');
  const config = layer.getConfig();
  assert.equal(config['rate'], 0.3);
  assert.equal(config['seed'], undefined);
});

test('training a model with dropout is reproducible from its seed', async () => {
  const layers = [
    layerSpec.parse({ type: 'dense', units: 16, activation: 'relu' }),
    layerSpec.parse({ type: 'dropout', rate: 0.5 }),
  ];
  const x = tf.randomNormal([64, 6], 0, 1, 'float32', 1);
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: 64 }, (_, i) => i % 3),
      'int32',
    ),
    3,
  );
  const train = async (): Promise<Float32Array[]> => {
    const model = buildModel({ layers, inputShape: [6], classes: 3, seed: 21 });
    model.compile({
      optimizer: tf.train.sgd(0.1),
      loss: (t: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(t, p),
    });
    await model.fit(x, y, { epochs: 3, batchSize: 16, shuffle: false, verbose: 0 });
    const w = weightValues(model);
    model.dispose();
    return w;
  };
  const first = await train();
  assert.deepEqual(await train(), first);
  x.dispose();
  y.dispose();
});
