import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { distillationHardTerm, distillationLoss, distillationSoftTerm } from '../../core/distill/loss.ts';
import { distillationLossReference } from '../../core/distill/lossReference.ts';
import { teacherSoftTargets } from '../../core/ensemble/softTargets.ts';
import { selectBackend } from '../../core/backend/selectBackend.ts';
import { NonRetryableError } from '../../core/errors.ts';
import { seededRandom } from './seededRandom.ts';

before(async () => {
  await tf.setBackend('cpu');
});

const classes = 10;

/** Random student logits, labels and (ensemble) teacher soft targets at temperature T, all float32. */
function batch(seed: number, n: number, temperature: number, members = 3) {
  const rng = seededRandom(seed);
  const logits = () => Float32Array.from({ length: n * classes }, () => rng.normal(3));
  const student = logits();
  const teacher = teacherSoftTargets(
    Array.from({ length: members }, () => logits()),
    classes,
    temperature,
  );
  const labels = Int32Array.from({ length: n }, () => Math.floor(rng.uniform() * classes));
  return { student, teacher, labels };
}

/** A batch as tensors: labels, student logits, teacher targets. */
function tensorsOf(b: ReturnType<typeof batch>, n: number): [tf.Tensor1D, tf.Tensor2D, tf.Tensor2D] {
  return [
    tf.tensor1d(b.labels, 'int32'),
    tf.tensor2d(b.student, [n, classes]),
    tf.tensor2d(b.teacher, [n, classes]),
  ];
}

function value(t: tf.Tensor): number {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

test('matches the float64 reference on random logits (relative error < 1e-5)', () => {
  let worst = 0;
  let seed = 11;
  for (const temperature of [1, 2, 4, 8, 20]) {
    for (const alpha of [0, 0.3, 0.7, 1]) {
      const n = 48;
      const b = batch(seed++, n, temperature);
      const ref = distillationLossReference(b.labels, b.student, b.teacher, classes, temperature, alpha);
      const [y, s, p] = tensorsOf(b, n);
      const loss = value(distillationLoss(y, s, p, temperature, alpha));
      const soft = value(distillationSoftTerm(s, p, temperature));
      const hard = value(distillationHardTerm(y, s));
      tf.dispose([y, s, p]);
      for (const [got, want, what] of [
        [loss, ref.loss, 'loss'],
        [soft, ref.soft, 'soft'],
        [hard, ref.hard, 'hard'],
      ] as const) {
        const e = relativeError(got, want);
        worst = Math.max(worst, e);
        assert.ok(e < 1e-5, `T=${temperature} alpha=${alpha} ${what}: ${got} vs ${want} (rel ${e})`);
      }
    }
  }
  assert.ok(
    worst > 0,
    'float32 against float64 should differ somewhat; an exact match means the test is vacuous',
  );
});

test('gradient w.r.t. the student logits matches central differences of the float64 reference', () => {
  const n = 6;
  const h = 1e-5;
  for (const [temperature, alpha] of [
    [1, 0.5],
    [4, 0.9],
    [10, 0.2],
    [2, 1],
    [3, 0],
  ] as const) {
    const { student, teacher, labels } = batch(100 + temperature, n, temperature);
    const p = tf.tensor2d(teacher, [n, classes]);
    const y = tf.tensor1d(labels, 'int32');
    const g = tf.grad((s) => distillationLoss(y, s as tf.Tensor2D, p, temperature, alpha))(
      tf.tensor2d(student, [n, classes]),
    );
    const got = g.dataSync();
    tf.dispose([g, p, y]);
    const x = Float64Array.from(student);
    let maxAbs = 0;
    let maxErr = 0;
    for (let k = 0; k < x.length; k++) {
      const orig = x[k]!;
      x[k] = orig + h;
      const up = distillationLossReference(labels, x, teacher, classes, temperature, alpha).loss;
      x[k] = orig - h;
      const down = distillationLossReference(labels, x, teacher, classes, temperature, alpha).loss;
      x[k] = orig;
      const fd = (up - down) / (2 * h);
      maxAbs = Math.max(maxAbs, Math.abs(fd));
      maxErr = Math.max(maxErr, Math.abs(got[k]! - fd));
      assert.ok(Number.isFinite(got[k]!));
    }
    assert.ok(maxAbs > 1e-3, 'gradient should not vanish');
    assert.ok(
      maxErr < 1e-4 * maxAbs,
      `T=${temperature} alpha=${alpha}: max error ${maxErr} vs max |g| ${maxAbs}`,
    );
  }
});

test('alpha = 0 is plain cross-entropy (tf.losses.softmaxCrossEntropy and the reference)', () => {
  const n = 32;
  const { student, teacher, labels } = batch(7, n, 4);
  const y = tf.tensor1d(labels, 'int32');
  const s = tf.tensor2d(student, [n, classes]);
  const p = tf.tensor2d(teacher, [n, classes]);
  const oneHot = tf.oneHot(y, classes);
  const ours = value(distillationLoss(y, s, p, 4, 0));
  const theirs = value(tf.losses.softmaxCrossEntropy(oneHot, s));
  const ref = distillationLossReference(labels, student, teacher, classes, 4, 0);
  tf.dispose([y, s, p, oneHot]);
  assert.ok(relativeError(ours, theirs) < 1e-5, `${ours} vs ${theirs}`);
  assert.ok(relativeError(ours, ref.hard) < 1e-5, `${ours} vs ${ref.hard}`);
  assert.equal(ref.loss, ref.hard);
});

test('alpha = 1 is the soft term alone; one-hot labels give the same loss as class indices', () => {
  const n = 16;
  const { student, teacher, labels } = batch(8, n, 3);
  const y = tf.tensor1d(labels, 'int32');
  const oneHot = tf.oneHot(y, classes, 1, 0, 'float32') as tf.Tensor2D;
  const s = tf.tensor2d(student, [n, classes]);
  const p = tf.tensor2d(teacher, [n, classes]);
  assert.equal(value(distillationLoss(y, s, p, 3, 1)), value(distillationSoftTerm(s, p, 3)));
  const byIndex = value(distillationLoss(y, s, p, 3, 0.4));
  const byRow = value(distillationLoss(oneHot, s, p, 3, 0.4));
  tf.dispose([y, oneHot, s, p]);
  assert.ok(relativeError(byRow, byIndex) < 1e-6, `${byRow} vs ${byIndex}`);
});

test('with T² the soft term’s gradient norm stays within a factor of 2 for T in {2, 4, 8, 20}', () => {
  const n = 64;
  const norms: number[] = [];
  const normsWithoutT2: number[] = [];
  for (const temperature of [2, 4, 8, 20]) {
    // Same logits at every T (seed fixed), spread N(0, 3) like a trained network's.
    const { student, teacher } = batch(42, n, temperature, 1);
    const p = tf.tensor2d(teacher, [n, classes]);
    const g = tf.grad((s) => distillationSoftTerm(s as tf.Tensor2D, p, temperature))(
      tf.tensor2d(student, [n, classes]),
    );
    const norm = value(tf.norm(g));
    tf.dispose([g, p]);
    norms.push(norm);
    normsWithoutT2.push(norm / (temperature * temperature));
  }
  const ratio = Math.max(...norms) / Math.min(...norms);
  assert.ok(ratio < 2, `max/min gradient norm over T = ${ratio} (${norms.join(', ')})`);
  // Without T² the gradient would shrink roughly as 1/T²: the factor is what keeps alpha meaningful.
  assert.ok(Math.max(...normsWithoutT2) / Math.min(...normsWithoutT2) > 50);
});

test('zero soft targets (0 · log 0 = 0): finite loss equal to the reference, finite gradients', () => {
  // A one-hot teacher (all but one target exactly 0) and a teacher with an exact 0 from float32 underflow.
  const n = 2;
  const student = Float32Array.from({ length: n * classes }, (_, k) => Math.sin(k) * 4);
  const teacher = new Float32Array(n * classes);
  teacher[3] = 1;
  teacher.set(
    teacherSoftTargets([Float32Array.from({ length: classes }, (_, c) => (c === 0 ? 200 : c))], classes, 1),
    classes,
  );
  assert.ok(
    teacher.subarray(classes).some((v) => v === 0),
    'second row should contain an exact zero',
  );
  const labels = Int32Array.from([3, 0]);
  const ref = distillationLossReference(labels, student, teacher, classes, 2, 0.5);
  const y = tf.tensor1d(labels, 'int32');
  const p = tf.tensor2d(teacher, [n, classes]);
  const s = tf.tensor2d(student, [n, classes]);
  const loss = value(distillationLoss(y, s, p, 2, 0.5));
  const g = tf.grad((x) => distillationLoss(y, x as tf.Tensor2D, p, 2, 0.5))(s);
  const grad = g.dataSync();
  tf.dispose([y, p, s, g]);
  assert.ok(Number.isFinite(loss));
  assert.ok(relativeError(loss, ref.loss) < 1e-5, `${loss} vs ${ref.loss}`);
  assert.ok(grad.every((v) => Number.isFinite(v)));
});

test('teacher soft targets at temperature feed the loss: a student equal to the teacher has zero soft term', () => {
  // KL(softmax(t/T) ‖ softmax(s/T)) = 0 when s = t, at every T.
  const n = 8;
  const rng = seededRandom(5);
  const t = Float32Array.from({ length: n * classes }, () => rng.normal(3));
  for (const temperature of [1, 3, 10]) {
    const p = tf.tensor2d(teacherSoftTargets([t], classes, temperature), [n, classes]);
    const s = tf.tensor2d(t, [n, classes]);
    const soft = value(distillationSoftTerm(s, p, temperature));
    tf.dispose([p, s]);
    assert.ok(Math.abs(soft) < 1e-4, `T=${temperature}: ${soft}`);
  }
  // … while a different student has a positive soft term.
  const other = tf.tensor2d(Float32Array.from(t).reverse(), [n, classes]);
  const p = tf.tensor2d(teacherSoftTargets([t], classes, 3), [n, classes]);
  assert.ok(value(distillationSoftTerm(other, p, 3)) > 0.1);
  tf.dispose([other, p]);
});

test('bad shapes, dtypes, temperature and alpha throw NonRetryableError', () => {
  const s = tf.zeros([4, 3]) as tf.Tensor2D;
  const p = tf.fill([4, 3], 1 / 3) as tf.Tensor2D;
  const y = tf.tensor1d([0, 1, 2, 0], 'int32');
  assert.throws(() => distillationLoss(y, s, p, 2, 1.5), /alpha/);
  assert.throws(() => distillationLoss(y, s, p, 2, -0.1), /alpha/);
  assert.throws(() => distillationLoss(y, s, p, 0, 0.5), /temperature/);
  assert.throws(
    () => distillationLoss(y, s, tf.fill([4, 2], 0.5) as tf.Tensor2D, 2, 0.5),
    /teacherSoftTargets/,
  );
  assert.throws(() => distillationLoss(tf.tensor1d([0, 1, 2], 'int32'), s, p, 2, 0.5), /3 labels for 4/);
  assert.throws(() => distillationLoss(tf.tensor1d([0, 1, 2, 0], 'float32'), s, p, 2, 0.5), /int32/);
  assert.throws(() => distillationLoss(tf.zeros([4, 2]) as tf.Tensor2D, s, p, 2, 0.5), NonRetryableError);
  assert.throws(() => distillationHardTerm(y, tf.zeros([4]) as unknown as tf.Tensor2D), /\[n, classes\]/);
  tf.dispose([s, p, y]);
});

test('the loss leaks no tensors', () => {
  const n = 8;
  const { student, teacher, labels } = batch(9, n, 2);
  const y = tf.tensor1d(labels, 'int32');
  const s = tf.tensor2d(student, [n, classes]);
  const p = tf.tensor2d(teacher, [n, classes]);
  const before = tf.memory().numTensors;
  value(distillationLoss(y, s, p, 2, 0.5));
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([y, s, p]);
});

test('on the wasm backend, the one students train on, every term matches the float64 reference', async () => {
  await selectBackend('wasm');
  try {
    let seed = 101;
    for (const temperature of [1, 4, 20]) {
      for (const alpha of [0, 0.5, 0.9]) {
        const n = 32;
        const b = batch(seed++, n, temperature);
        const ref = distillationLossReference(b.labels, b.student, b.teacher, classes, temperature, alpha);
        const [y, s, p] = tensorsOf(b, n);
        const got = {
          loss: value(distillationLoss(y, s, p, temperature, alpha)),
          hard: value(distillationHardTerm(y, s)),
          soft: value(distillationSoftTerm(s, p, temperature)),
        };
        tf.dispose([y, s, p]);
        for (const what of ['loss', 'hard', 'soft'] as const) {
          const e = relativeError(got[what], ref[what]);
          assert.ok(e < 1e-5, `wasm T=${temperature} alpha=${alpha} ${what}: ${got[what]} vs ${ref[what]}`);
        }
      }
    }
  } finally {
    await tf.setBackend('cpu');
  }
});
