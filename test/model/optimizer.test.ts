import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ModelSpecError } from '../../core/errors.ts';
import { makeOptimizer, type OptimizerName } from '../../core/model/optimizer.ts';
import { useCpu } from './helpers.ts';

before(useCpu);

test('each named optimizer is the matching tfjs class and takes one step downhill', () => {
  const expected: Record<OptimizerName, string> = {
    adam: 'Adam',
    sgd: 'SGD',
    rmsprop: 'RMSProp',
    momentum: 'Momentum',
  };
  for (const [name, className] of Object.entries(expected) as [OptimizerName, string][]) {
    const optimizer = makeOptimizer({ name, learningRate: 0.1 });
    assert.equal(optimizer.getClassName(), className);
    const v = tf.variable(tf.scalar(3));
    optimizer.minimize(() => tf.square(v) as tf.Scalar);
    const after = v.dataSync()[0] ?? NaN;
    assert.ok(after < 3 && after > -3, `${name}: ${after}`);
    v.dispose();
    optimizer.dispose();
  }
});

test('the learning rate and momentum reach the optimizer', () => {
  const sgd = makeOptimizer({ name: 'sgd', learningRate: 0.25 });
  assert.equal(sgd.getConfig()['learningRate'], 0.25);
  const momentum = makeOptimizer({ name: 'momentum', learningRate: 0.5, momentum: 0.8 });
  assert.equal(momentum.getConfig()['momentum'], 0.8);
  assert.equal(makeOptimizer({ name: 'momentum', learningRate: 0.5 }).getConfig()['momentum'], 0.9);
});

test('bad settings are ModelSpecErrors naming the field', () => {
  assert.throws(
    () => makeOptimizer({ name: 'adam', learningRate: 0 }),
    (e: unknown) => e instanceof ModelSpecError && /^learningRate:/.test(e.message),
  );
  assert.throws(() => makeOptimizer({ name: 'adam', learningRate: NaN }), ModelSpecError);
  assert.throws(
    () => makeOptimizer({ name: 'momentum', learningRate: 0.1, momentum: 1 }),
    /^ModelSpecError: momentum:/,
  );
  assert.throws(
    () => makeOptimizer({ name: 'adagrad' as OptimizerName, learningRate: 0.1 }),
    /unknown name "adagrad"/,
  );
});
