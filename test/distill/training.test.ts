import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { distillationLoss } from '../../core/distill/loss.ts';
import { teacherSoftTargets } from '../../core/ensemble/softTargets.ts';
import { seededRandom } from './seededRandom.ts';

before(async () => {
  await tf.setBackend('cpu');
});

test('a student trained with optimizer.minimize on the loss learns the teacher', () => {
  const n = 64;
  const classes = 3;
  const features = 4;
  const rng = seededRandom(21);
  const x = Float32Array.from({ length: n * features }, () => rng.normal());
  // Teacher: a fixed linear map of the inputs; labels are its argmax.
  const teacherLogits = new Float32Array(n * classes);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < classes; c++)
      teacherLogits[i * classes + c] = 2 * x[i * features + c]! - x[i * features + 3]!;
    const row = [...teacherLogits.subarray(i * classes, (i + 1) * classes)];
    labels[i] = row.indexOf(Math.max(...row));
  }
  const temperature = 2;
  const xs = tf.tensor2d(x, [n, features]);
  const ys = tf.tensor1d(labels, 'int32');
  const soft = tf.tensor2d(teacherSoftTargets([teacherLogits], classes, temperature), [n, classes]);
  const student = tf.sequential({ layers: [tf.layers.dense({ units: classes, inputShape: [features] })] });
  const optimizer = tf.train.adam(0.05);
  const losses: number[] = [];
  for (let step = 0; step < 60; step++) {
    const loss = optimizer.minimize(
      () => distillationLoss(ys, student.apply(xs) as tf.Tensor2D, soft, temperature, 0.7),
      true,
    );
    losses.push(loss!.dataSync()[0]!);
    loss!.dispose();
  }
  const predicted = tf.tidy(() => tf.argMax(student.apply(xs) as tf.Tensor2D, 1).dataSync());
  tf.dispose([xs, ys, soft]);
  student.dispose();
  optimizer.dispose();
  assert.ok(losses.every((l) => Number.isFinite(l)));
  assert.ok(losses.at(-1)! < 0.5 * losses[0]!, `loss ${losses[0]} → ${losses.at(-1)}`);
  let agree = 0;
  for (let i = 0; i < n; i++) if (predicted[i] === labels[i]) agree++;
  assert.ok(agree / n > 0.9, `student matches teacher on ${agree}/${n}`);
});
