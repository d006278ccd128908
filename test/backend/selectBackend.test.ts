import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from '../../core/errors.ts';
import { backendChoice } from '../../core/backend/backendChoice.ts';
import type { BackendChoice } from '../../core/backend/backendChoice.ts';
import { currentBackend } from '../../core/backend/currentBackend.ts';
import { selectBackend } from '../../core/backend/selectBackend.ts';

// Tests run in order and share this process' tfjs engine, as worker threads do.

test('the backend choice schema accepts the five choices and nothing else', () => {
  for (const choice of ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']) {
    assert.equal(backendChoice.parse(choice), choice);
  }
  assert.equal(backendChoice.safeParse('webgl').success, false);
});

test("'cpu' starts the cpu backend and records it", async () => {
  const info = await selectBackend('cpu');
  assert.deepEqual(info, {
    name: 'cpu',
    package: '@tensorflow/tfjs-backend-cpu',
    version: tf.version['tfjs-backend-cpu'],
    choice: 'cpu',
    gpu: false,
    patchedKernels: [],
  });
  assert.equal(tf.getBackend(), 'cpu');
  assert.deepEqual(currentBackend(), info);
  assert.deepEqual(Array.from(tf.add(tf.tensor1d([1, 2]), 1).dataSync()), [2, 3]);
});

test("'tensorflow' and 'tensorflow-gpu' (not installed here) fail with the npm install command", async () => {
  const before = currentBackend();
  for (const [choice, pkg] of [
    ['tensorflow', '@tensorflow/tfjs-node'],
    ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu'],
  ] as const) {
    await assert.rejects(selectBackend(choice), (error: unknown) => {
      assert.ok(error instanceof BackendUnavailableError, 'a BackendUnavailableError');
      assert.equal(error.name, 'BackendUnavailableError');
      assert.match(error.message, new RegExp(`npm install ${pkg}$`));
      assert.ok(error.cause, 'keeps the import error as cause');
      return true;
    });
  }
  assert.equal(currentBackend(), before, 'a failed choice leaves the recorded backend alone');
  assert.equal(tf.getBackend(), 'cpu');
});

test("'auto' passes over the missing native backends and picks wasm with Chorus' kernels", async () => {
  const skipped: BackendChoice[] = [];
  const handlers = () => [process.listeners('uncaughtException'), process.listeners('unhandledRejection')];
  const handlersBefore = handlers();
  const info = await selectBackend('auto', { onSkip: (choice) => skipped.push(choice) });
  assert.deepEqual(handlers(), handlersBefore, "the wasm loader's rethrowing process handlers are removed");
  assert.deepEqual(skipped, ['tensorflow-gpu', 'tensorflow']);
  assert.equal(info.name, 'wasm');
  assert.equal(info.choice, 'auto');
  assert.equal(info.package, '@tensorflow/tfjs-backend-wasm');
  assert.match(info.version, /^\d+\.\d+\.\d+/);
  assert.equal(info.gpu, false);
  assert.deepEqual([...info.patchedKernels].sort(), [
    'Add',
    'BatchMatMul',
    'Cast',
    'ChorusAdamStep',
    'ChorusSparseSoftmaxCrossEntropy',
    'Conv2D',
    'Conv2DBackpropFilter',
    'Conv2DBackpropInput',
    'DepthwiseConv2dNativeBackpropFilter',
    'DepthwiseConv2dNativeBackpropInput',
    'FusedConv2D',
    'Identity',
    'MaxPoolGrad',
    'OneHot',
    'Sum',
    '_FusedMatMul',
  ]);
  assert.equal(tf.getBackend(), 'wasm');
  assert.deepEqual(currentBackend(), info);
  assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'));
});

test('calling again is harmless: same choice returns the recorded info, kernels stay registered once', async () => {
  const first = currentBackend();
  const again = await selectBackend('auto');
  assert.equal(again, first, 'no restart for the same choice');
  const kernel = tf.getKernel('BatchMatMul', 'wasm');
  const explicit = await selectBackend('wasm');
  assert.equal(explicit.choice, 'wasm');
  assert.equal(tf.getKernel('BatchMatMul', 'wasm'), kernel, 'not wrapped twice');
  const [a, b] = [tf.ones([3, 2]), tf.ones([3, 4])];
  assert.deepEqual(Array.from(tf.matMul(a, b, true, false).dataSync()), new Array(8).fill(3));
});

test('concurrent calls run one after another; the last one wins', async () => {
  const [cpu, wasm] = await Promise.all([selectBackend('cpu'), selectBackend('wasm')]);
  assert.equal(cpu.name, 'cpu');
  assert.equal(wasm.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(currentBackend(), wasm);
});

test("a native backend that fails to load is passed over by 'auto' and reported by an explicit choice", async () => {
  // Simulates the addon refusing a second thread (tfjs issues #2079, #3463, #8388).
  const broken = (specifier: string): Promise<unknown> =>
    Promise.reject(new Error(`Module did not self-register: '${specifier}/lib/napi-v8/tfjs_binding.node'.`));
  const reasons: string[] = [];
  await selectBackend('cpu');
  const info = await selectBackend('auto', {
    importModule: broken,
    onSkip: (_, reason) => reasons.push(reason),
  });
  assert.equal(info.name, 'wasm');
  assert.equal(reasons.length, 2);
  assert.match(
    reasons[1] ?? '',
    /@tensorflow\/tfjs-node is installed but failed to load \(Module did not self-register/,
  );
  await assert.rejects(selectBackend('tensorflow', { importModule: broken }), (error: unknown) => {
    assert.ok(error instanceof BackendUnavailableError);
    assert.match(error.message, /failed to load/);
    assert.match(error.message, /npm install @tensorflow\/tfjs-node/);
    return true;
  });
});

test('a native package that loads but registers no tensorflow backend is unavailable, not a crash', async () => {
  const loadsNothing = (): Promise<unknown> => Promise.resolve({});
  await assert.rejects(selectBackend('tensorflow', { importModule: loadsNothing }), (error: unknown) => {
    assert.ok(error instanceof BackendUnavailableError);
    assert.match(error.message, /registered no 'tensorflow' backend/);
    return true;
  });
  assert.equal(tf.getBackend(), 'wasm');
});

test('a backend that fails to initialise is unavailable and the previous backend is put back', async () => {
  await selectBackend('cpu');
  // A native package whose backend factory throws, as tfjs-node does without libtensorflow.
  const registersBrokenBackend = (): Promise<unknown> => {
    tf.registerBackend('tensorflow', () => {
      throw new Error('libtensorflow.so: cannot open shared object file');
    });
    return Promise.resolve({});
  };
  const warn = console.warn;
  console.warn = () => undefined; // tfjs warns about the failed initialisation
  try {
    await assert.rejects(
      selectBackend('tensorflow', { importModule: registersBrokenBackend }),
      (error: unknown) => {
        assert.ok(error instanceof BackendUnavailableError);
        assert.match(
          error.message,
          /backend 'tensorflow' failed to start; npm install @tensorflow\/tfjs-node/,
        );
        return true;
      },
    );
  } finally {
    console.warn = warn;
    tf.removeBackend('tensorflow');
  }
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(currentBackend()?.name, 'cpu');
  assert.deepEqual(Array.from(tf.mul(tf.tensor1d([2]), 3).dataSync()), [6]);
});
