import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../core/backend/selectBackend.ts';
import { onCpuAndWasm, randomValues, relativeError } from './compareBackends.ts';

// Relative error: max|wasm - cpu| / max(1e-6, max|cpu|), per gradient tensor (see relativeError).
const TOLERANCE = 1e-4;

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Seeded inputs for a network: one tensor per shape, plus one-hot labels for `batch` samples. */
function seeded(shapes: number[][], seed: number): tf.Tensor[] {
  return shapes.map((shape, i) => tf.tensor(randomValues(size(shape), seed + i), shape));
}

function oneHot(batch: number, classes: number): tf.Tensor2D {
  return tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % classes),
      'int32',
    ),
    classes,
  ) as tf.Tensor2D;
}

function assertGradientsMatch(cpu: Float32Array[], wasm: Float32Array[], names: string[]): void {
  assert.equal(wasm.length, names.length);
  for (const [i, name] of names.entries()) {
    const expected = cpu[i] as Float32Array;
    assert.ok(
      expected.some((v) => v !== 0),
      `${name}: gradient is not all zeros`,
    );
    const err = relativeError(wasm[i] as Float32Array, expected);
    assert.ok(err < TOLERANCE, `${name}: relative error ${err}`);
  }
}

before(async () => {
  await selectBackend('wasm');
});

test('gradients of a small CNN (conv, maxPool, conv, flatten, dense) on wasm match cpu', async () => {
  const batch = 4;
  const shapes = [
    [batch, 10, 10, 2], // x
    [3, 3, 2, 4], // conv 1, same, stride 1
    [3, 3, 4, 6], // conv 2, valid, stride 2
    [24, 3], // dense
    [3], // bias
  ];
  const { cpu, wasm } = await onCpuAndWasm(() => {
    const params = seeded(shapes, 7);
    const labels = oneHot(batch, 3);
    const loss = (x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor, w3: tf.Tensor, b3: tf.Tensor): tf.Tensor => {
      let h = tf.relu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same'));
      h = tf.maxPool(h as tf.Tensor4D, 2, 2, 'valid');
      h = tf.relu(tf.conv2d(h as tf.Tensor4D, w2 as tf.Tensor4D, 2, 'valid'));
      const logits = tf.add(tf.matMul(tf.reshape(h, [batch, -1]), w3 as tf.Tensor2D), b3);
      return tf.losses.softmaxCrossEntropy(labels, logits);
    };
    return tf.grads((x, w1, w2, w3, b3) => loss(x, w1, w2, w3, b3))(params);
  });
  assertGradientsMatch(cpu, wasm, ['x', 'conv1', 'conv2', 'dense', 'bias']);
});

test('gradients through depthwise and separable convolutions on wasm match cpu', async () => {
  const batch = 3;
  const shapes = [
    [batch, 9, 8, 3], // x
    [3, 3, 3, 2], // depthwise, multiplier 2, stride 2, same
    [2, 2, 6, 1], // separable: depthwise part
    [1, 1, 6, 4], // separable: pointwise part
  ];
  const { cpu, wasm } = await onCpuAndWasm(() => {
    const params = seeded(shapes, 70);
    return tf.grads((x, dw, sdw, spw) => {
      const h = tf.relu(tf.depthwiseConv2d(x as tf.Tensor4D, dw as tf.Tensor4D, 2, 'same'));
      const s = tf.separableConv2d(h, sdw as tf.Tensor4D, spw as tf.Tensor4D, 1, 'valid');
      return tf.sum(tf.square(s));
    })(params);
  });
  assertGradientsMatch(cpu, wasm, ['x', 'depthwise', 'separable depthwise', 'separable pointwise']);
});

test('gradients of an MLP (dense layers use transposed matmuls) on wasm match cpu', async () => {
  const batch = 16;
  const shapes = [[batch, 30], [30, 20], [20], [20, 5]];
  const { cpu, wasm } = await onCpuAndWasm(() => {
    const params = seeded(shapes, 700);
    const labels = oneHot(batch, 5);
    return tf.grads((x, w1, b1, w2) => {
      const h = tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, w1 as tf.Tensor2D), b1));
      return tf.losses.softmaxCrossEntropy(labels, tf.matMul(h, w2 as tf.Tensor2D));
    })(params);
  });
  assertGradientsMatch(cpu, wasm, ['x', 'w1', 'b1', 'w2']);
});

test('a tiny tf.layers CNN trains on wasm: the loss falls', async () => {
  await tf.setBackend('wasm');
  // Three classes of 12x12 images: a horizontal bar, a vertical bar, a diagonal; with noise.
  const count = 48;
  const noise = randomValues(count * 144, 99);
  const images = new Float32Array(count * 144);
  const labels: number[] = [];
  for (let n = 0; n < count; n++) {
    const cls = n % 3;
    labels.push(cls);
    for (let r = 0; r < 12; r++) {
      for (let c = 0; c < 12; c++) {
        const on = cls === 0 ? r === 6 : cls === 1 ? c === 6 : r === c;
        images[n * 144 + r * 12 + c] = (on ? 1 : 0) + 0.3 * (noise[n * 144 + r * 12 + c] as number);
      }
    }
  }
  const x = tf.tensor4d(images, [count, 12, 12, 1]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [12, 12, 1],
        filters: 8,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({
        filters: 8,
        kernelSize: 3,
        activation: 'relu',
        padding: 'same',
        kernelInitializer: init(2),
      }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(3) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const losses: number[] = [];
  for (let step = 0; step < 10; step++) {
    const loss = await model.trainOnBatch(x, y);
    losses.push(Array.isArray(loss) ? (loss[0] as number) : loss);
  }
  assert.equal(tf.getBackend(), 'wasm');
  const first = losses[0] as number;
  const last = losses.at(-1) as number;
  assert.ok(Number.isFinite(last), `loss is finite: ${losses.join(', ')}`);
  assert.ok(last < 0.5 * first, `loss fell from ${first} to ${last}`);
  model.dispose();
  tf.dispose([x, y]);
});

test("a Chorus-built CNN (the benchmark's layers, smaller): training-loss gradients and predictions on wasm match cpu", async () => {
  const { buildModel } = await import('../../core/model/buildModel.ts');
  const { layerSpec } = await import('../../core/spec/layers.ts');
  const { sparseSoftmaxCrossEntropy } = await import('../../core/train/sparseSoftmaxCrossEntropy.ts');
  const layers = [
    { type: 'conv2d', filters: 8, kernelSize: 3, activation: 'relu' },
    { type: 'maxPooling2d' },
    { type: 'conv2d', filters: 12, kernelSize: 3, activation: 'relu', padding: 'same' },
    { type: 'maxPooling2d' },
    { type: 'dense', units: 16, activation: 'relu' },
  ].map((l) => layerSpec.parse(l));
  const batch = 6;
  const images = randomValues(batch * 14 * 14, 5).map((v) => Math.abs(v));
  const labels = Int32Array.from({ length: batch }, (_, i) => (i * 3) % 5);
  const run = async (backend: string): Promise<{ grads: Float32Array[]; logits: Float32Array }> => {
    await tf.setBackend(backend);
    const model = buildModel({ layers, inputShape: [14, 14, 1], classes: 5, seed: 3, name: `m_${backend}` });
    const x = tf.tensor4d(images, [batch, 14, 14, 1]);
    const y = tf.tensor1d(labels, 'int32');
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(
      () => sparseSoftmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor2D, 5),
      vars,
    );
    const out = {
      grads: vars.map((v) => Float32Array.from((grads[v.name] as tf.Tensor).dataSync())),
      logits: Float32Array.from((model.predict(x) as tf.Tensor).dataSync()),
    };
    tf.dispose([x, y, value, ...Object.values(grads)]);
    model.dispose();
    return out;
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  assertGradientsMatch(
    cpu.grads,
    wasm.grads,
    cpu.grads.map((_, i) => `weight ${i}`),
  );
  const err = relativeError(wasm.logits, cpu.logits);
  assert.ok(err < TOLERANCE, `predictions: relative error ${err}`);
});

test('a Chorus-built model with every pooling, depthwise, separable and residual layer: gradients and predictions on wasm match cpu', async () => {
  const { buildModel } = await import('../../core/model/buildModel.ts');
  const { layerSpec } = await import('../../core/spec/layers.ts');
  const { sparseSoftmaxCrossEntropy } = await import('../../core/train/sparseSoftmaxCrossEntropy.ts');
  const layers = [
    { type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' },
    // Same shape in and out: the input is added as it is.
    {
      type: 'residual',
      layers: [
        { type: 'depthwiseConv2d', kernelSize: 3, padding: 'same', depthMultiplier: 2, activation: 'relu' },
        { type: 'separableConv2d', filters: 4, kernelSize: 3, padding: 'same' },
      ],
    },
    { type: 'averagePooling2d', poolSize: 3, strides: 2, padding: 'same' },
    // Fewer pixels and more channels: the input goes through a strided 1×1 projection.
    {
      type: 'residual',
      layers: [
        {
          type: 'separableConv2d',
          filters: 6,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          activation: 'relu',
        },
        { type: 'batchNormalization' },
      ],
    },
    { type: 'depthwiseConv2d', kernelSize: [2, 3], strides: [1, 2], padding: 'valid' },
    { type: 'globalAveragePooling2d' },
    // Flat: a dense projection.
    { type: 'residual', layers: [{ type: 'dense', units: 5, activation: 'tanh' }] },
  ].map((l) => layerSpec.parse(l));
  const batch = 5;
  const images = randomValues(batch * 12 * 12 * 2, 11);
  const labels = Int32Array.from({ length: batch }, (_, i) => i % 4);
  const run = async (
    backend: string,
  ): Promise<{ grads: Float32Array[]; logits: Float32Array; names: string[] }> => {
    await tf.setBackend(backend);
    const model = buildModel({ layers, inputShape: [12, 12, 2], classes: 4, seed: 9, name: `r_${backend}` });
    const x = tf.tensor4d(images, [batch, 12, 12, 2]);
    const y = tf.tensor1d(labels, 'int32');
    const weights = model.trainableWeights;
    const vars = weights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(
      () => sparseSoftmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor2D, 4),
      vars,
    );
    const out = {
      grads: vars.map((v) => Float32Array.from((grads[v.name] as tf.Tensor).dataSync())),
      logits: Float32Array.from((model.predict(x) as tf.Tensor).dataSync()),
      names: weights.map((w) => w.originalName),
    };
    tf.dispose([x, y, value, ...Object.values(grads)]);
    model.dispose();
    return out;
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  const kinds = cpu.names.map((n) => n.replace(/^r_cpu_/, ''));
  for (const kind of ['depthwise_kernel', 'pointwise_kernel', 'projection/kernel', 'l6_r0_dense/kernel']) {
    assert.ok(
      kinds.some((k) => k.includes(kind)),
      `${kind} among the weights: ${kinds.join(', ')}`,
    );
  }
  assertGradientsMatch(cpu.grads, wasm.grads, kinds);
  const err = relativeError(wasm.logits, cpu.logits);
  assert.ok(err < TOLERANCE, `predictions: relative error ${err}`);
});
