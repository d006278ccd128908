import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { JobSpecError, ModelSpecError } from '../../core/errors.ts';
import { buildModel } from '../../core/model/buildModel.ts';
import { checkModelsAgainstData } from '../../core/spec/checkModelsAgainstData.ts';
import { layerSpec, type LayerSpec } from '../../core/spec/layers.ts';
import { parseJobText } from '../../core/spec/loadJob.ts';
import { inferModel, modelShapeProblems } from '../../core/spec/modelShapeProblems.ts';

/**
 * The job-file check of layer shapes (core/spec/modelShapeProblems.ts) must agree with what tfjs does
 * when `buildModel` runs: it refuses exactly the layer lists that buildModel refuses, at the same
 * layer, and counts the same number of weights for the ones it accepts. Otherwise a job would be
 * refused that could run, or a broken one would get through to a training task.
 */

before(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const size = fc.oneof(
  fc.integer({ min: 1, max: 5 }),
  fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })),
);
const stride = fc.oneof(
  fc.integer({ min: 1, max: 3 }),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
);
const padding = fc.constantFrom('valid', 'same');

/** Layers as a job file writes them (a residual block aside); `layerSpec` fills the defaults as the schema would. */
const plainLayer = fc.oneof(
  fc.record({ type: fc.constant('dense'), units: fc.integer({ min: 1, max: 6 }), useBias: fc.boolean() }),
  fc.record({
    type: fc.constant('conv2d'),
    filters: fc.integer({ min: 1, max: 3 }),
    kernelSize: size,
    strides: stride,
    padding,
  }),
  fc.record(
    { type: fc.constant('maxPooling2d'), poolSize: size, strides: stride, padding },
    { requiredKeys: ['type', 'poolSize', 'padding'] },
  ),
  fc.record({ type: fc.constant('flatten') }),
  fc.record({ type: fc.constant('dropout'), rate: fc.constant(0.25) }),
  fc.record({ type: fc.constant('batchNormalization') }),
  fc.record({ type: fc.constant('activation'), activation: fc.constant('relu') }),
  fc.record({
    type: fc.constant('reshape'),
    targetShape: fc.oneof(
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
      fc.constantFrom([4, 4, 1], [2, 2, 2], [8, 8, 1], [16]),
    ),
  }),
  fc.record(
    { type: fc.constant('averagePooling2d'), poolSize: size, strides: stride, padding },
    { requiredKeys: ['type', 'poolSize', 'padding'] },
  ),
  fc.record({ type: fc.constant('globalAveragePooling2d') }),
  fc.record({
    type: fc.constant('depthwiseConv2d'),
    kernelSize: size,
    strides: stride,
    padding,
    depthMultiplier: fc.integer({ min: 1, max: 2 }),
    useBias: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('separableConv2d'),
    filters: fc.integer({ min: 1, max: 3 }),
    kernelSize: size,
    strides: stride,
    padding,
    depthMultiplier: fc.integer({ min: 1, max: 2 }),
    useBias: fc.boolean(),
  }),
);

const layer: fc.Arbitrary<LayerSpec> = fc
  .oneof(
    { arbitrary: plainLayer, weight: 5 },
    {
      arbitrary: fc.record({
        type: fc.constant('residual'),
        layers: fc.array(plainLayer, { minLength: 1, maxLength: 3 }),
      }),
      weight: 1,
    },
  )
  .map((raw) => layerSpec.parse(raw));

const inputShape = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 64 })).map((s) => [...s]),
  fc
    .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 3 }))
    .map((s) => [...s]),
);

test('the job-file shape check refuses exactly what buildModel refuses, at the same layer', () => {
  let refused = 0;
  fc.assert(
    fc.property(
      fc.array(layer, { maxLength: 5 }),
      inputShape,
      fc.integer({ min: 2, max: 5 }),
      (layers, shape, classes) => {
        const predicted = modelShapeProblems(layers, shape, classes);
        let model: tf.LayersModel | undefined;
        let error: unknown;
        try {
          model = buildModel({ layers, inputShape: shape, classes, seed: 1, name: 'm' });
        } catch (err) {
          error = err;
        }
        try {
          if (error !== undefined) {
            refused++;
            assert.ok(error instanceof ModelSpecError, `buildModel threw ${String(error)}`);
            const at = /^layers\[(\d+)\](?:\.layers\[(\d+)\])?/.exec(error.message);
            assert.deepEqual(
              [predicted[0]?.layer, predicted[0]?.inner],
              [at?.[1], at?.[2]].map((n) => (n === undefined ? undefined : Number(n))),
              `${error.message} vs ${JSON.stringify(predicted)}`,
            );
          } else {
            assert.deepEqual(predicted, [], `predicted ${JSON.stringify(predicted)} but tfjs built it`);
            assert.equal(inferModel(layers, shape, classes).weights, model?.countParams());
          }
        } finally {
          model?.dispose();
        }
      },
    ),
    { numRuns: 300 },
  );
  assert.ok(
    refused > 20,
    `only ${refused} of 300 random models were invalid: the generator should find more`,
  );
});

test('without a known input shape only what the layers alone decide is checked', () => {
  const dense = layerSpec.parse({ type: 'dense', units: 8 });
  const conv = layerSpec.parse({ type: 'conv2d', filters: 2, kernelSize: 3 });
  // conv2d first: the data might be images; after a dense layer the input is flat for sure.
  assert.deepEqual(modelShapeProblems([conv], undefined, 3), []);
  const problems = modelShapeProblems([dense, conv], undefined, 3);
  assert.equal(problems[0]?.layer, 1);
  assert.match(
    problems[0]?.message ?? '',
    /^conv2d: expects input of rank 3 \[height, width, channels\], got \[8\]$/,
  );
  // Dense layers fix their own input size: two 65536-unit layers are too big whatever the data.
  const wide = layerSpec.parse({ type: 'dense', units: 65536 });
  assert.match(
    modelShapeProblems([wide, wide], undefined, 3)[0]?.message ?? '',
    /at least \d+ weights, over the limit/,
  );
});

test('checkModelsAgainstData refuses layers that do not fit the loaded samples, naming member and layer', () => {
  const job = parseJobText(
    [
      'name: files',
      'data:',
      '  train: { format: csv, path: train.csv }',
      '  test: { format: csv, path: test.csv }',
      'members:',
      '  - { name: mlp, replicas: 2, layers: [{ type: dense, units: 4 }] }',
      '  - { name: convy, replicas: 3, layers: [{ type: conv2d, filters: 2, kernelSize: 2 }] }',
      'distillation:',
      '  student: { name: tiny, layers: [{ type: reshape, targetShape: [3, 3] }] }',
      '',
    ].join('\n'),
    'files.yaml',
  );
  // The job file alone cannot tell: CSV samples have the shape of the file's columns.
  assert.doesNotThrow(() => checkModelsAgainstData(job, [3, 3, 1], 2));
  assert.throws(
    () => checkModelsAgainstData(job, [5], 2, 'files.yaml'),
    (err: unknown) => {
      assert.ok(err instanceof JobSpecError);
      assert.equal(err.source, 'files.yaml');
      assert.deepEqual(
        err.issues.map((i) => i.path),
        ['members[1].layers[0]', 'distillation.student.layers[0]'],
        'one issue per member entry, not per replica',
      );
      assert.match(
        err.message,
        /member "convy": conv2d: expects input of rank 3 \[height, width, channels\], got \[5\]/,
      );
      assert.match(err.message, /student "tiny": reshape: cannot reshape input \[5\]/);
      return true;
    },
  );
});
