import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ADAM_STEP } from '../../core/backend/adamStepKernel.ts';
import { selectBackend } from '../../core/backend/selectBackend.ts';
import { makeOptimizer } from '../../core/model/optimizer.ts';
import { applyGradientStep } from '../../core/train/applyGradientStep.ts';

before(async () => {
  await selectBackend('wasm');
});

const P0 = [0.5, -1.5, 2.0, 0.25];
const B0 = [0.1, -0.2];
/** Two steps' gradients of the kernel and the bias (the loss is Σ p·G + Σ b·Gb, so these exactly). */
const G = [
  [0.3, -0.2, 0.05, 1.0],
  [-0.1, 0.4, 0.2, -0.6],
];
const GB = [
  [0.5, -0.5],
  [0.25, 0.125],
];

/** Two steps on a 2×2 kernel and a bias with the given optimizer and adjustments; their final values. */
function twoSteps(optimizer: tf.Optimizer, lr: number, weightDecay: number, clipNorm?: number) {
  const p = tf.variable(tf.tensor2d(P0, [2, 2]), true, `wd_p_${Math.random()}`);
  const b = tf.variable(tf.tensor1d(B0), true, `wd_b_${Math.random()}`);
  for (let t = 0; t < 2; t++) {
    const loss = tf.tidy(() =>
      applyGradientStep(
        optimizer,
        () => tf.add(tf.sum(tf.mul(p, tf.tensor2d(G[t]!, [2, 2]))), tf.sum(tf.mul(b, tf.tensor1d(GB[t]!)))),
        [p, b],
        { learningRate: lr, weightDecay, ...(clipNorm !== undefined ? { clipNorm } : {}) },
      ),
    );
    loss.dispose();
  }
  const out = { p: Array.from(p.dataSync()), b: Array.from(b.dataSync()) };
  tf.dispose([p, b]);
  optimizer.dispose();
  return out;
}

function assertClose(actual: number[], expected: number[], what: string): void {
  actual.forEach((a, i) =>
    assert.ok(
      Math.abs(a - expected[i]!) <= 2e-6 * Math.max(1, Math.abs(expected[i]!)),
      `${what}[${i}]: ${a} vs ${expected[i]}`,
    ),
  );
}

test('AdamW on the fused Adam kernel matches a hand-computed step: kernels decay, biases do not', () => {
  assert.ok(tf.getKernel(ADAM_STEP, 'wasm'), 'the fused kernel is registered, so it is what runs');
  const lr = 0.01;
  const wd = 0.5;
  const eps = tf.backend().epsilon();
  const actual = twoSteps(makeOptimizer({ name: 'adam', learningRate: lr }), lr, wd);
  // By hand (PyTorch AdamW order): w ← w(1 − lr·wd), then w ← w − lr · m̂ / (√v̂ + ε).
  const adam = (w0: number[], grads: number[][], decay: boolean) => {
    const w = [...w0];
    const m = w.map(() => 0);
    const v = w.map(() => 0);
    grads.forEach((g, t) => {
      for (let i = 0; i < w.length; i++) {
        m[i] = 0.9 * m[i]! + 0.1 * g[i]!;
        v[i] = 0.999 * v[i]! + 0.001 * g[i]! * g[i]!;
        const mHat = m[i]! / (1 - 0.9 ** (t + 1));
        const vHat = v[i]! / (1 - 0.999 ** (t + 1));
        if (decay) w[i] = w[i]! * (1 - lr * wd);
        w[i] = w[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    });
    return w;
  };
  assertClose(actual.p, adam(P0, G, true), 'kernel');
  assertClose(actual.b, adam(B0, GB, false), 'bias');
  // Without decay the same steps differ exactly by the decay: it is applied, not folded into the gradient.
  const plain = twoSteps(makeOptimizer({ name: 'adam', learningRate: lr }), lr, 0);
  assertClose(plain.p, adam(P0, G, false), 'kernel without decay');
});

test('SGDW: w ← w(1 − lr·wd) − lr·g; gradient clipping rescales by the global norm', () => {
  const lr = 0.1;
  const wd = 0.2;
  const sgd = twoSteps(makeOptimizer({ name: 'sgd', learningRate: lr }), lr, wd);
  const expected = (w0: number[], grads: number[][], decay: boolean, scale: number[]) => {
    const w = [...w0];
    grads.forEach((g, t) => {
      for (let i = 0; i < w.length; i++)
        w[i] = (decay ? w[i]! * (1 - lr * wd) : w[i]!) - lr * g[i]! * scale[t]!;
    });
    return w;
  };
  assertClose(sgd.p, expected(P0, G, true, [1, 1]), 'kernel');
  assertClose(sgd.b, expected(B0, GB, false, [1, 1]), 'bias');

  // Global norm over kernel and bias together; clipped to 0.5 where larger.
  const norms = G.map((g, t) => Math.hypot(...g, ...GB[t]!));
  const scale = norms.map((n) => Math.min(1, 0.5 / n));
  assert.ok(
    scale.every((s) => s < 1),
    'both steps are clipped',
  );
  const clipped = twoSteps(makeOptimizer({ name: 'sgd', learningRate: lr }), lr, 0, 0.5);
  assertClose(clipped.p, expected(P0, G, false, scale), 'clipped kernel');
  assertClose(clipped.b, expected(B0, GB, false, scale), 'clipped bias');
});
