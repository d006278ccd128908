import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { SPARSE_SOFTMAX_CROSS_ENTROPY } from '../../core/backend/softmaxCrossEntropyKernel.ts';
import { selectBackend } from '../../core/backend/selectBackend.ts';
import { sparseSoftmaxCrossEntropy } from '../../core/train/sparseSoftmaxCrossEntropy.ts';
import { randomValues, relativeError } from './compareBackends.ts';

before(async () => {
  await selectBackend('wasm');
});

test('the fused training loss on wasm matches tf.losses.softmaxCrossEntropy on cpu, value and gradient', async () => {
  const shapes: [number, number][] = [
    [128, 10],
    [7, 3],
    [1, 2],
  ];
  for (const [n, classes] of shapes) {
    // Wide logits (softmax near one-hot) and an out-of-range label (an all-zero one-hot row).
    const logits = randomValues(n * classes, n).map((v) => v * (n > 1 ? 20 : 3));
    const labels = Int32Array.from({ length: n }, (_, i) =>
      i === n - 1 && n > 2 ? classes : (i * 7) % classes,
    );
    const compute = (backendLoss: boolean) => {
      const vars = tf.variable(tf.tensor2d(logits, [n, classes]));
      const y = tf.tensor1d(labels, 'int32');
      const { value, grads } = tf.variableGrads(
        () =>
          backendLoss
            ? sparseSoftmaxCrossEntropy(y, vars as tf.Tensor2D, classes)
            : (tf.losses.softmaxCrossEntropy(tf.oneHot(y, classes), vars) as tf.Scalar),
        [vars],
      );
      const out = {
        value: value.dataSync()[0] as number,
        grad: Float32Array.from((Object.values(grads)[0] as tf.Tensor).dataSync()),
      };
      tf.dispose([vars, y, value, ...Object.values(grads)]);
      return out;
    };
    await tf.setBackend('cpu');
    const expected = compute(false);
    await tf.setBackend('wasm');
    assert.ok(tf.getKernel(SPARSE_SOFTMAX_CROSS_ENTROPY, 'wasm'));
    const actual = compute(true);
    // Relative for losses above 1, absolute below (a near-zero loss has no meaningful relative error).
    const valueError = Math.abs(actual.value - expected.value) / Math.max(1, Math.abs(expected.value));
    assert.ok(valueError < 1e-5, `[${n}, ${classes}]: loss ${actual.value} vs ${expected.value}`);
    const gradError = relativeError(actual.grad, expected.grad);
    assert.ok(gradError < 1e-5, `[${n}, ${classes}]: gradient relative error ${gradError}`);
  }
});

test('without the fused kernel (cpu) the loss is the tfjs expression itself', async () => {
  await tf.setBackend('cpu');
  const logits = tf.tensor2d(randomValues(12, 5), [4, 3]);
  const labels = tf.tensor1d([0, 2, 1, 1], 'int32');
  const ours = sparseSoftmaxCrossEntropy(labels, logits, 3).dataSync()[0];
  const theirs = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 3), logits).dataSync()[0];
  assert.equal(ours, theirs);
  tf.dispose([logits, labels]);
});

test('logits of the wrong width are refused on both paths, as tfjs refuses them', async () => {
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    const logits = tf.zeros([2, 4]) as tf.Tensor2D;
    const labels = tf.tensor1d([0, 1], 'int32');
    assert.throws(
      () => sparseSoftmaxCrossEntropy(labels, logits, 3),
      /Shapes 2,3 and 2,4 must match/,
      backend,
    );
    tf.dispose([logits, labels]);
  }
});
