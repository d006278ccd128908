import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../core/model/buildModel.ts';
import { ModelSpecError } from '../../core/errors.ts';
import { layerSpec, type LayerSpec, type LayerSpecInput } from '../../core/spec/layers.ts';
import { predictFlat, useCpu, weightValues } from './helpers.ts';

before(useCpu);

/** Layers as a job file would write them, with zod filling the defaults. */
const specs = (...layers: LayerSpecInput[]): LayerSpec[] => layers.map((l) => layerSpec.parse(l));

const mlp = specs({ type: 'dense', units: 16, activation: 'relu' }, { type: 'dropout', rate: 0.2 });
const cnn = specs(
  { type: 'conv2d', filters: 4, kernelSize: [3, 3], padding: 'same', activation: 'relu' },
  { type: 'batchNormalization' },
  { type: 'maxPooling2d' },
  { type: 'flatten' },
  { type: 'dense', units: 8, activation: 'tanh' },
);

test('every layer type builds, in order, with the output layer appended', () => {
  const model = buildModel({
    layers: specs(
      { type: 'conv2d', filters: 4, kernelSize: [3, 3], strides: 1, padding: 'same', activation: 'relu' },
      { type: 'batchNormalization', momentum: 0.9 },
      { type: 'activation', activation: 'elu' },
      { type: 'maxPooling2d', poolSize: 2 },
      { type: 'dropout', rate: 0.25 },
      { type: 'reshape', targetShape: [4, 16] },
      { type: 'flatten' },
      { type: 'dense', units: 8, activation: 'tanh', useBias: false },
    ),
    inputShape: [8, 8, 1],
    classes: 10,
    seed: 7,
  });
  assert.deepEqual(
    model.layers.map((l) => l.getClassName()),
    [
      'Conv2D',
      'BatchNormalization',
      'Activation',
      'MaxPooling2D',
      'Dropout',
      'Reshape',
      'Flatten',
      'Dense',
      'Dense',
    ],
  );
  assert.deepEqual(
    model.layers.map((l) => l.outputShape),
    [
      [null, 8, 8, 4],
      [null, 8, 8, 4],
      [null, 8, 8, 4],
      [null, 4, 4, 4],
      [null, 4, 4, 4],
      [null, 4, 16],
      [null, 64],
      [null, 8],
      [null, 10],
    ],
  );
  const out = tf.tidy(() => (model.predict(tf.ones([2, 8, 8, 1])) as tf.Tensor).shape);
  assert.deepEqual(out, [2, 10]);
  model.dispose();
});

test('every activation in the spec schema is known to tfjs', () => {
  const activations = [
    'linear',
    'relu',
    'relu6',
    'elu',
    'selu',
    'sigmoid',
    'tanh',
    'softmax',
    'softplus',
    'swish',
    'gelu',
  ] as const;
  const model = buildModel({
    layers: specs(...activations.map((activation) => ({ type: 'dense' as const, units: 3, activation }))),
    inputShape: [3],
    classes: 2,
    seed: 1,
  });
  const values = predictFlat(model, tf.ones([1, 3]));
  assert.ok(values.every(Number.isFinite));
  model.dispose();
});

test('the output is logits: a linear dense layer with `classes` units', () => {
  const model = buildModel({ layers: mlp, inputShape: [5], classes: 7, seed: 3 });
  const last = model.layers.at(-1);
  assert.equal(last?.getClassName(), 'Dense');
  assert.equal(last?.getConfig()['units'], 7);
  assert.equal(last?.getConfig()['activation'], 'linear');
  assert.equal(last?.name, 'model_logits');
  assert.deepEqual(model.outputs[0]?.shape, [null, 7]);
  // Logits are unconstrained: with random inputs some are negative and rows do not sum to 1.
  const x = tf.randomNormal([4, 5], 0, 3, 'float32', 11);
  const y = predictFlat(model, x);
  assert.ok(y.some((v) => v < 0));
  const rowSum = y.slice(0, 7).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(rowSum - 1) > 1e-3);
  x.dispose();
  model.dispose();
});

test('an MLP spec on image-shaped input gets a flatten before its first dense layer', () => {
  const model = buildModel({ layers: mlp, inputShape: [28, 28, 1], classes: 10, seed: 1 });
  assert.equal(model.layers[0]?.getClassName(), 'Flatten');
  assert.equal(model.layers[0]?.name, 'model_l0_flatten');
  assert.deepEqual(model.layers[1]?.outputShape, [null, 16]);
  const shape = tf.tidy(() => (model.predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor).shape);
  assert.deepEqual(shape, [3, 10]);
  model.dispose();
});

test('no hidden dense layer: the output layer itself gets the automatic flatten', () => {
  const model = buildModel({
    layers: specs({ type: 'conv2d', filters: 2, kernelSize: 3 }),
    inputShape: [6, 6, 1],
    classes: 4,
    seed: 1,
  });
  assert.deepEqual(
    model.layers.map((l) => l.name),
    ['model_l0_conv2d', 'model_logits_flatten', 'model_logits'],
  );
  assert.deepEqual(model.outputs[0]?.shape, [null, 4]);
  model.dispose();
});

test('a flatten on an already flat input is skipped rather than refused', () => {
  const model = buildModel({
    layers: specs({ type: 'flatten' }, { type: 'dense', units: 4 }),
    inputShape: [784],
    classes: 10,
    seed: 1,
  });
  assert.deepEqual(
    model.layers.map((l) => l.getClassName()),
    ['Dense', 'Dense'],
  );
  model.dispose();
});

test('shape errors are ModelSpecErrors naming the layer index and type', () => {
  const conv = { type: 'conv2d', filters: 2, kernelSize: 3 } as const;
  const cases: [LayerSpecInput[], number[], RegExp | string][] = [
    [[conv], [784], 'layers[0] (conv2d): expects input of rank 3 [height, width, channels], got [784]'],
    [
      [{ type: 'dense', units: 4 }, { type: 'maxPooling2d' }],
      [8, 8, 1],
      /^layers\[1\] \(maxPooling2d\): expects input of rank 3 .*got \[4\]$/,
    ],
    [[conv, { type: 'flatten' }, conv], [8, 8, 1], /^layers\[2\] \(conv2d\): expects input of rank 3/],
    [
      [{ type: 'maxPooling2d' }, { type: 'maxPooling2d' }],
      [3, 3, 1],
      /^layers\[1\] \(maxPooling2d\): pool 2x2 is larger than its input 1x1/,
    ],
    [
      [{ type: 'conv2d', filters: 2, kernelSize: [5, 2] }],
      [4, 4, 1],
      /^layers\[0\] \(conv2d\): kernel 5x2 is larger than its input 4x4/,
    ],
    [
      [
        { type: 'dense', units: 10 },
        { type: 'reshape', targetShape: [3, 3] },
      ],
      [5],
      'layers[1] (reshape): cannot reshape input [10] (10 values) to [3, 3] (9 values)',
    ],
  ];
  for (const [layers, inputShape, message] of cases) {
    assert.throws(
      () => buildModel({ layers: specs(...layers), inputShape, classes: 3, seed: 1 }),
      (err: unknown) => {
        assert.ok(err instanceof ModelSpecError, `expected ModelSpecError, got ${String(err)}`);
        if (typeof message === 'string') assert.equal(err.message, message);
        else assert.match(err.message, message);
        return true;
      },
    );
  }
});

test("tfjs's own build errors are rethrown as ModelSpecError with the layer index and the cause", () => {
  // A value the schema would reject, as a stale message from another version might carry.
  const bogus = { type: 'activation', activation: 'bogus' } as unknown as LayerSpec;
  assert.throws(
    () => buildModel({ layers: [...mlp, bogus], inputShape: [4], classes: 3, seed: 1 }),
    (err: unknown) => {
      assert.ok(err instanceof ModelSpecError);
      assert.match(err.message, /^layers\[2\] \(activation\): .*bogus/);
      assert.ok(err.cause instanceof Error);
      return true;
    },
  );
});

test('bad options are ModelSpecErrors naming the option', () => {
  const bad: [Partial<Parameters<typeof buildModel>[0]>, RegExp][] = [
    [{ inputShape: [] }, /^inputShape:/],
    [{ inputShape: [28, 0] }, /^inputShape:/],
    [{ classes: 1 }, /^classes:/],
    [{ seed: 0.5 }, /^seed:/],
    [{ name: 'my model' }, /^name:/],
  ];
  for (const [override, message] of bad) {
    assert.throws(
      () => buildModel({ layers: mlp, inputShape: [4], classes: 3, seed: 1, ...override }),
      (err: unknown) => {
        assert.ok(err instanceof ModelSpecError);
        assert.match(err.message, message);
        return true;
      },
    );
  }
});

test('same seed gives identical initial weights; a different seed gives different ones', () => {
  const build = (seed: number) => buildModel({ layers: cnn, inputShape: [8, 8, 1], classes: 5, seed });
  const a = build(42);
  const b = build(42);
  const c = build(43);
  const wa = weightValues(a);
  assert.deepEqual(weightValues(b), wa);
  // Every randomly initialised tensor (the kernels) differs under another seed.
  const kernels = a.weights
    .map((w, i) => [w.originalName, i] as const)
    .filter(([name]) => name.endsWith('/kernel'));
  assert.equal(kernels.length, 3);
  const wc = weightValues(c);
  for (const [name, i] of kernels) assert.notDeepEqual(wc[i], wa[i], `${name} should differ between seeds`);
  // Layer names come from the spec, not from tfjs's global counters, so they match across builds.
  assert.deepEqual(
    b.layers.map((l) => l.name),
    a.layers.map((l) => l.name),
  );
  [a, b, c].forEach((m) => m.dispose());
});

test('two same-shaped layers in one model are initialised differently', () => {
  const model = buildModel({
    layers: specs({ type: 'dense', units: 6 }, { type: 'dense', units: 6 }),
    inputShape: [6],
    classes: 6,
    seed: 5,
  });
  const [k0, , k1, , k2] = weightValues(model);
  assert.notDeepEqual(k0, k1);
  assert.notDeepEqual(k1, k2);
  model.dispose();
});

test('seeds of neighbouring replicas (seed, seed + 1) do not share per-layer initialisations', () => {
  // With naive seed + layerIndex, layer 1 of seed s would equal layer 0 of seed s + 1.
  const layers = specs({ type: 'dense', units: 6 }, { type: 'dense', units: 6 });
  const a = buildModel({ layers, inputShape: [6], classes: 6, seed: 10 });
  const b = buildModel({ layers, inputShape: [6], classes: 6, seed: 11 });
  assert.notDeepEqual(weightValues(a)[2], weightValues(b)[0]);
  a.dispose();
  b.dispose();
});

test('without a residual block the model stays a Sequential; with one it is functional, input added to output', () => {
  const plain = buildModel({ layers: cnn, inputShape: [8, 8, 1], classes: 3, seed: 1 });
  assert.ok(plain instanceof tf.Sequential);
  plain.dispose();

  const model = buildModel({
    layers: specs(
      { type: 'conv2d', filters: 3, kernelSize: 3, padding: 'same' },
      { type: 'residual', layers: [{ type: 'conv2d', filters: 3, kernelSize: 3, padding: 'same' }] },
    ),
    inputShape: [6, 6, 1],
    classes: 2,
    seed: 4,
    name: 'res',
  });
  assert.ok(!(model instanceof tf.Sequential));
  assert.deepEqual(
    model.layers.map((l) => l.name),
    ['res_input', 'res_l0_conv2d', 'res_l1_r0_conv2d', 'res_l1_add', 'res_logits_flatten', 'res_logits'],
  );
  // The block's output is its conv's output plus its input, exactly.
  const x = tf.randomNormal([2, 6, 6, 1], 0, 1, 'float32', 3);
  const [before, inner, sum] = tf.tidy(() => {
    const h = model.getLayer('res_l0_conv2d').apply(x) as tf.Tensor;
    const f = model.getLayer('res_l1_r0_conv2d').apply(h) as tf.Tensor;
    const probe = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer('res_l1_add').output as tf.SymbolicTensor,
    });
    return [h.dataSync(), f.dataSync(), (probe.predict(x) as tf.Tensor).dataSync()];
  });
  sum!.forEach((v, i) => assert.ok(Math.abs(v - (before![i]! + inner![i]!)) < 1e-5));
  x.dispose();
  model.dispose();
});

test('a residual block whose output differs in shape adds a seeded projection: 1×1 strided conv, or dense', () => {
  const build = (seed: number) =>
    buildModel({
      layers: specs(
        {
          type: 'residual',
          layers: [{ type: 'conv2d', filters: 4, kernelSize: 3, strides: 2, padding: 'same' }],
        },
        { type: 'globalAveragePooling2d' },
        { type: 'residual', layers: [{ type: 'dense', units: 6 }] },
      ),
      inputShape: [7, 7, 2],
      classes: 3,
      seed,
      name: 'p',
    });
  const a = build(1);
  const conv = a.getLayer('p_l0_projection');
  assert.equal(conv.getClassName(), 'Conv2D');
  assert.deepEqual(conv.getConfig()['kernelSize'], [1, 1]);
  assert.deepEqual(conv.getConfig()['strides'], [2, 2]);
  assert.deepEqual(conv.outputShape, [null, 4, 4, 4]);
  assert.equal(a.getLayer('p_l2_projection').getClassName(), 'Dense');
  assert.deepEqual(a.getLayer('p_l2_projection').outputShape, [null, 6]);
  const b = build(1);
  const c = build(2);
  assert.deepEqual(weightValues(a), weightValues(b));
  assert.notDeepEqual(weightValues(a), weightValues(c));
  for (const m of [a, b, c]) m.dispose();
});

test('a residual block that cannot be added to its input is a ModelSpecError naming the block', () => {
  assert.throws(
    () =>
      buildModel({
        layers: specs({ type: 'residual', layers: [{ type: 'flatten' }] }),
        inputShape: [4, 4, 1],
        classes: 2,
        seed: 1,
      }),
    /^ModelSpecError: layers\[0\] \(residual\): cannot add the block's input \[4, 4, 1\] to its output \[16\]/,
  );
  assert.throws(
    () =>
      buildModel({
        layers: specs({ type: 'residual', layers: [{ type: 'dense', units: 2 }, { type: 'maxPooling2d' }] }),
        inputShape: [4],
        classes: 2,
        seed: 1,
      }),
    /^ModelSpecError: layers\[0\]\.layers\[1\] \(maxPooling2d\): expects input of rank 3/,
  );
});
