import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ADAM_STEP } from '../../core/backend/adamStepKernel.ts';
import { selectBackend } from '../../core/backend/selectBackend.ts';
import { FusedAdamOptimizer } from '../../core/model/fusedAdam.ts';
import { makeOptimizer } from '../../core/model/optimizer.ts';
import { randomValues, relativeError } from './compareBackends.ts';

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

// Sizes with and without a multiple of four (the kernel's vector loop and its scalar tail).
const SHAPES = [[30, 20], [20], [3, 3, 2, 5], [7]];

interface Run {
  values: Float32Array[];
  moments: Float32Array[];
}

/**
 * `steps` Adam steps on fresh variables with the same seeded gradients every run (so only the optimizer
 * differs), on the current backend. The last variable gets no gradient on even steps.
 */
async function runAdam(
  optimizer: tf.Optimizer,
  steps: number,
  prefix: string,
  restartAt?: number,
): Promise<Run> {
  const variables = SHAPES.map((shape, i) =>
    tf.variable(tf.tensor(randomValues(size(shape), 40 + i), shape), true, `${prefix}_${i}`),
  );
  let opt = optimizer;
  for (let t = 0; t < steps; t++) {
    if (t === restartAt) {
      // A checkpoint round trip: a new optimizer restored from the old one's weights.
      const saved = await opt.getWeights();
      const copies = saved.map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) }));
      const restored = new FusedAdamOptimizer(0.01, 0.9, 0.999);
      await restored.setWeights(copies);
      opt.dispose();
      opt = restored;
    }
    const grads: tf.NamedTensorMap = {};
    variables.forEach((v, i) => {
      if (i === variables.length - 1 && t % 2 === 0) return;
      grads[v.name] = tf.tensor(randomValues(v.size, 1000 * t + i), v.shape);
    });
    opt.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }
  const values = variables.map((v) => Float32Array.from(v.dataSync()));
  const moments = (await opt.getWeights()).slice(1).map((w) => Float32Array.from(w.tensor.dataSync()));
  opt.dispose();
  tf.dispose(variables);
  return { values, moments };
}

function assertRunsMatch(actual: Run, expected: Run, tolerance: number, label: string): void {
  assert.equal(actual.moments.length, expected.moments.length, `${label}: moment count`);
  for (const [kind, a, e] of [
    ['value', actual.values, expected.values],
    ['moment', actual.moments, expected.moments],
  ] as const) {
    e.forEach((exp, i) => {
      const err = relativeError(a[i] as Float32Array, exp);
      assert.ok(err < tolerance, `${label}: ${kind} ${i} relative error ${err}`);
    });
  }
}

before(async () => {
  await selectBackend('wasm');
});

test("makeOptimizer('adam') is still an Adam to tfjs: class name, config, epsilon", async () => {
  const adam = makeOptimizer({ name: 'adam', learningRate: 0.01 });
  assert.ok(adam instanceof FusedAdamOptimizer);
  assert.ok(adam instanceof tf.AdamOptimizer);
  assert.equal(adam.getClassName(), 'Adam');
  assert.deepEqual(adam.getConfig(), { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
  adam.dispose();
});

test('10 steps of the fused Adam on wasm equal 10 steps of tfjs Adam on cpu within 1e-5', async () => {
  await tf.setBackend('wasm');
  assert.ok(tf.getKernel(ADAM_STEP, 'wasm'), 'the fused kernel is registered');
  const fused = await runAdam(new FusedAdamOptimizer(0.01, 0.9, 0.999), 10, 'fused');
  await tf.setBackend('cpu');
  const reference = await runAdam(tf.train.adam(0.01), 10, 'reference');
  assertRunsMatch(fused, reference, 1e-5, 'wasm fused vs cpu tfjs');
});

test('on a backend without the fused kernel it is tfjs Adam, step for step', async () => {
  await tf.setBackend('cpu');
  assert.equal(tf.getKernel(ADAM_STEP, 'cpu'), undefined);
  const fused = await runAdam(new FusedAdamOptimizer(0.01, 0.9, 0.999), 6, 'cpufused');
  const reference = await runAdam(tf.train.adam(0.01), 6, 'cpuref');
  assertRunsMatch(fused, reference, 1e-7, 'cpu fused vs cpu tfjs');
});

test('a checkpoint round trip (getWeights / setWeights) mid-run changes nothing', async () => {
  await tf.setBackend('wasm');
  const straight = await runAdam(new FusedAdamOptimizer(0.01, 0.9, 0.999), 6, 'straight');
  const resumed = await runAdam(new FusedAdamOptimizer(0.01, 0.9, 0.999), 6, 'resumed', 3);
  assertRunsMatch(resumed, straight, 1e-7, 'resumed vs straight');
});

test('the fused step writes moments in place only when nothing else shares them', async () => {
  await tf.setBackend('wasm');
  const param = tf.tensor1d([1, 2, 3, 4, 5]);
  const grad = tf.tensor1d([0.5, -0.5, 1, -1, 2]);
  const m = tf.tensor1d([0.1, 0.1, 0.1, 0.1, 0.1]);
  const v = tf.tensor1d([0.2, 0.2, 0.2, 0.2, 0.2]);
  const sharedM = tf.clone(m);
  const attrs = {
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-7,
    learningRate: 0.1,
    accBeta1: 0.9,
    accBeta2: 0.999,
  };
  const [p2, m2, v2] = tf.engine().runKernel(ADAM_STEP, { param, grad, m, v }, attrs) as tf.Tensor[];
  assert.notEqual(p2?.dataId, param.dataId, 'parameters always get new data');
  assert.notEqual(m2?.dataId, m.dataId, 'shared first moment copied, not overwritten');
  assert.equal(v2?.dataId, v.dataId, 'unshared second moment updated in place');
  assert.deepEqual(Array.from(sharedM.dataSync()), new Array(5).fill(Math.fround(0.1)));
  assert.deepEqual(Array.from(param.dataSync()), [1, 2, 3, 4, 5], 'input parameters untouched');
  // m' = 0.9 m + 0.1 g, in float32.
  const expected = [0.5, -0.5, 1, -1, 2].map((g) =>
    Math.fround(Math.fround(Math.fround(0.1) * Math.fround(0.9)) + Math.fround(g * Math.fround(0.1))),
  );
  assert.deepEqual(Array.from(m2?.dataSync() ?? []), expected);
  tf.dispose([param, grad, m, v, sharedM, p2 as tf.Tensor, m2 as tf.Tensor, v2 as tf.Tensor]);
});
