import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { MemoryArtifactStore } from '../../core/artifacts/memoryArtifactStore.ts';
import { saveModelToStore } from '../../core/artifacts/modelIO.ts';
import { ModelFileError } from '../../core/errors.ts';
import { loadModelFile, type LoadModelFileOptions } from '../../core/model/modelFile/loadModelFile.ts';
import { maxAbsDiff, predictFlat, softmaxRows, useCpu, weightValues } from './helpers.ts';

before(useCpu);

const init = (seed: number) => tf.initializers.glorotUniform({ seed });

/** A functional model with a residual add, a concatenation and a final softmax, as users bring them. */
function functionalWithSoftmax(final: 'activation' | 'layer' | 'Activation'): tf.LayersModel {
  const input = tf.input({ shape: [6] });
  const h = tf.layers.dense({ units: 5, activation: 'relu', kernelInitializer: init(1) }).apply(input);
  const r = tf.layers.dense({ units: 5, activation: 'tanh', kernelInitializer: init(2) }).apply(h);
  const sum = tf.layers.add().apply([h, r] as tf.SymbolicTensor[]);
  const side = tf.layers.dense({ units: 2, kernelInitializer: init(3) }).apply(input);
  const cat = tf.layers.concatenate().apply([sum, side] as tf.SymbolicTensor[]);
  const scores = tf.layers
    .dense({
      units: 3,
      activation: final === 'activation' ? 'softmax' : 'linear',
      kernelInitializer: init(4),
    })
    .apply(cat) as tf.SymbolicTensor;
  const output =
    final === 'layer'
      ? (tf.layers.softmax().apply(scores) as tf.SymbolicTensor)
      : final === 'Activation'
        ? (tf.layers.activation({ activation: 'softmax' }).apply(scores) as tf.SymbolicTensor)
        : scores;
  return tf.model({ inputs: input, outputs: output });
}

async function stored(model: tf.LayersModel): Promise<MemoryArtifactStore> {
  const store = new MemoryArtifactStore();
  await saveModelToStore(model, store, 'm');
  return store;
}

const options = (o: Partial<LoadModelFileOptions> = {}): LoadModelFileOptions => ({
  prefix: 'm',
  weights: 'file',
  seed: 1,
  training: true,
  describe: 'the test model',
  ...o,
});

const x = () =>
  tf.tensor2d(
    Float32Array.from({ length: 24 }, (_, i) => Math.sin(i) * 2),
    [4, 6],
  );

test('a final softmax (activation, Softmax layer, Activation layer) is read through: same weights, logits out', async () => {
  for (const final of ['activation', 'layer', 'Activation'] as const) {
    const original = functionalWithSoftmax(final);
    const { model, readThrough } = await loadModelFile(await stored(original), options());
    const input = x();
    const probabilities = predictFlat(original, input);
    const logits = predictFlat(model, input);
    assert.ok(readThrough, final);
    assert.ok(
      logits.some((v) => v < 0),
      `${final}: logits, not probabilities`,
    );
    assert.ok(maxAbsDiff(softmaxRows(logits, 3), probabilities) < 1e-6, final);
    assert.deepEqual(weightValues(model), weightValues(original), `${final}: the file's weights`);
    assert.equal(model.outputs[0]?.shape[1], 3);
    tf.dispose([input]);
    original.dispose();
    model.dispose();
  }
});

test('a Sequential model ending in a softmax layer is read through too', async () => {
  const original = tf.sequential({
    layers: [
      tf.layers.dense({ units: 4, inputShape: [6], activation: 'relu', kernelInitializer: init(5) }),
      tf.layers.dense({ units: 3, kernelInitializer: init(6) }),
      tf.layers.softmax(),
    ],
  });
  const { model } = await loadModelFile(await stored(original), options());
  const input = x();
  assert.equal(model.layers.length, 2, 'the Softmax layer is left out');
  assert.ok(maxAbsDiff(softmaxRows(predictFlat(model, input), 3), predictFlat(original, input)) < 1e-6);
  tf.dispose(input);
  original.dispose();
  model.dispose();
});

test('a final sigmoid, relu layer or other non-linear output is refused, naming the layer', async () => {
  const cases: [tf.LayersModel, RegExp][] = [
    [
      tf.sequential({
        layers: [tf.layers.dense({ units: 3, inputShape: [6], activation: 'sigmoid', name: 'out' })],
      }),
      /output layer "out" \(Dense\) applies sigmoid: Chorus works in logits/,
    ],
    [
      tf.sequential({
        layers: [tf.layers.dense({ units: 3, inputShape: [6] }), tf.layers.reLU({ name: 'clip' })],
      }),
      /output layer "clip" \(ReLU\) is non-linear/,
    ],
    [
      tf.sequential({
        layers: [
          tf.layers.dense({ units: 3, inputShape: [6] }),
          tf.layers.activation({ activation: 'tanh', name: 'act' }),
        ],
      }),
      /output layer "act" \(Activation\) applies tanh/,
    ],
  ];
  for (const [model, message] of cases) {
    await assert.rejects(loadModelFile(await stored(model), options()), (err: unknown) => {
      assert.ok(err instanceof ModelFileError, String(err));
      assert.match(err.message, /^the test model: /);
      assert.match(err.message, message);
      return true;
    });
    model.dispose();
  }
});

test('a linear output is used as it is', async () => {
  const original = tf.sequential({
    layers: [tf.layers.dense({ units: 3, inputShape: [6], kernelInitializer: init(8) })],
  });
  const { model, readThrough } = await loadModelFile(await stored(original), options());
  const input = x();
  assert.equal(readThrough, undefined);
  assert.deepEqual(predictFlat(model, input), predictFlat(original, input));
  tf.dispose(input);
  original.dispose();
  model.dispose();
});

test('weights: random re-initialises the topology from the seed: reproducible, seed-dependent, not the file', async () => {
  const original = functionalWithSoftmax('activation');
  const store = await stored(original);
  const load = async (seed: number) =>
    (await loadModelFile(store, options({ weights: 'random', seed }))).model;
  const [a, b, c] = [await load(3), await load(3), await load(4)];
  assert.deepEqual(weightValues(a), weightValues(b));
  assert.notDeepEqual(weightValues(a), weightValues(c));
  assert.notDeepEqual(weightValues(a), weightValues(original));
  // Zeros stay zeros: only random initializers are seeded.
  const bias = a.getLayer(original.layers[1]!.name).getWeights()[1]!.dataSync();
  assert.ok(bias.every((v) => v === 0));
  for (const m of [original, a, b, c]) m.dispose();
});

test('a loaded model trains with seeded dropout; unseeded noise layers are refused for training only', async () => {
  const withDropout = tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, inputShape: [6] }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 3 }),
    ],
  });
  const store = await stored(withDropout);
  const trainOut = async () => {
    const { model } = await loadModelFile(store, options());
    const input = x();
    const out = tf.tidy(() =>
      [0, 1].map(() => (model.apply(input, { training: true }) as tf.Tensor).dataSync()),
    );
    tf.dispose(input);
    model.dispose();
    return out;
  };
  const first = await trainOut();
  assert.deepEqual(await trainOut(), first, 'the same masks for the same seed');
  assert.notDeepEqual(first[0], first[1], 'a new mask at every step');
  withDropout.dispose();

  const noisy = tf.sequential({
    layers: [
      tf.layers.dense({ units: 3, inputShape: [6] }),
      tf.layers.gaussianNoise({ stddev: 0.1, name: 'noise' }),
    ],
  });
  const noisyStore = await stored(noisy);
  await assert.rejects(
    loadModelFile(noisyStore, options()),
    /GaussianNoise \("noise"\) draws unseeded random numbers/,
  );
  const { model } = await loadModelFile(noisyStore, options({ training: false }));
  model.dispose();
  noisy.dispose();
});

test('layer classes tfjs cannot build are named, custom layers said to be unsupported', async () => {
  const original = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [6], name: 'd' })] });
  const store = await stored(original);
  const json = JSON.parse(new TextDecoder().decode(await store.get('m/model.json'))) as {
    modelTopology: { config: { layers: unknown[] } };
  };
  json.modelTopology.config.layers.push(
    { class_name: 'Lambda', config: { name: 'lambda_1' } },
    { class_name: 'MyAttention', config: { name: 'attn' } },
  );
  await store.put('m/model.json', new TextEncoder().encode(JSON.stringify(json)));
  await assert.rejects(
    loadModelFile(store, options()),
    /tfjs cannot build its layer classes Lambda \(layer "lambda_1"\), MyAttention \(layer "attn"\): custom layers/,
  );
  original.dispose();
});

test('a model file missing from the run is a clear, non-retryable error', async () => {
  await assert.rejects(loadModelFile(new MemoryArtifactStore(), options()), (err: unknown) => {
    assert.ok(err instanceof ModelFileError);
    assert.match(err.message, /the run holds no copy of it \(m\/model\.json\)/);
    return true;
  });
});
