import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NonRetryableError } from '../../core/errors.ts';
import { defaultIsolation, parseGpuList, planPool, PoolPlacementError } from '../../worker/poolPlacement.ts';

const noNative = () => false;
const native = () => true;

test('isolation defaults to processes for the native backends and GPUs, threads for wasm and cpu', () => {
  assert.equal(defaultIsolation({ backend: 'tensorflow-gpu' }, noNative), 'process');
  assert.equal(defaultIsolation({ backend: 'tensorflow' }, noNative), 'process');
  assert.equal(defaultIsolation({ backend: 'wasm' }, native), 'thread');
  assert.equal(defaultIsolation({ backend: 'cpu' }, native), 'thread');
  assert.equal(defaultIsolation({ backend: 'auto' }, noNative), 'thread', 'auto without a native package');
  assert.equal(defaultIsolation({ backend: 'auto' }, native), 'process', 'auto with tfjs-node installed');
  assert.equal(defaultIsolation({ backend: 'auto', gpus: [0] }, noNative), 'process');
});

test('--gpus 0,1 --slots-per-gpu 2 plans four children, two per GPU, each seeing only its GPU', () => {
  const plan = planPool({ backend: 'tensorflow-gpu', gpus: [0, 1], slotsPerGpu: 2 }, noNative);
  assert.equal(plan.isolation, 'process');
  assert.equal(plan.slots, 4);
  assert.deepEqual(
    plan.children.map((c) => [c.gpu, c.env.CUDA_VISIBLE_DEVICES, c.env.TF_FORCE_GPU_ALLOW_GROWTH]),
    [
      [0, '0', 'true'],
      [0, '0', 'true'],
      [1, '1', 'true'],
      [1, '1', 'true'],
    ],
  );
  const matching = planPool({ backend: 'auto', gpus: [3], slots: 2, slotsPerGpu: 2 }, noNative);
  assert.equal(matching.slots, 2, '--slots that agrees with GPUs × slots per GPU is accepted');
});

test('without GPUs: threads or plain children, as many as --slots', () => {
  assert.deepEqual(planPool({ backend: 'wasm', slots: 3 }, noNative), {
    isolation: 'thread',
    slots: 3,
    children: [],
  });
  const processes = planPool({ backend: 'wasm', slots: 2, isolation: 'process' }, noNative);
  assert.deepEqual(processes.children, [{ env: {} }, { env: {} }]);
});

test('placements that cannot work are refused, naming the flag', () => {
  const refusals: [Parameters<typeof planPool>[0], RegExp][] = [
    [
      { backend: 'tensorflow-gpu', gpus: [0], slotsPerGpu: 0 },
      /^--slots-per-gpu: expected a positive integer, got 0$/,
    ],
    [{ backend: 'wasm', slotsPerGpu: 2 }, /^--slots-per-gpu: needs --gpus/],
    [
      { backend: 'cpu', gpus: [0] },
      /^--gpus: backend 'cpu' does not run on a GPU; use --backend tensorflow-gpu/,
    ],
    [{ backend: 'wasm', gpus: [0] }, /^--gpus: backend 'wasm' does not run on a GPU/],
    [{ backend: 'tensorflow', gpus: [0] }, /^--gpus: backend 'tensorflow' does not run on a GPU/],
    [
      { backend: 'tensorflow-gpu', gpus: [0], isolation: 'thread' },
      /^--gpus: GPU placement needs --isolation process/,
    ],
    [{ backend: 'tensorflow-gpu', gpus: [0, 0] }, /^--gpus: GPU 0 is listed twice$/],
    [{ backend: 'tensorflow-gpu', gpus: [] }, /^--gpus: expected GPU indices such as 0,1, got none$/],
    [
      { backend: 'tensorflow-gpu', gpus: [0, 1], slots: 3 },
      /^--slots: with --gpus the slots are GPUs × --slots-per-gpu \(2 × 1 = 2\), got 3/,
    ],
    [{ backend: 'wasm', slots: 0 }, /^--slots: expected a positive integer, got 0$/],
  ];
  for (const [options, message] of refusals) {
    assert.throws(
      () => planPool(options, noNative),
      (err: unknown) => {
        assert.ok(err instanceof PoolPlacementError, JSON.stringify(options));
        assert.ok(err instanceof NonRetryableError, 'bad input: exit code 2');
        assert.match(err.message, message);
        return true;
      },
    );
  }
});

test('--gpus parses comma-separated indices and refuses anything else', () => {
  assert.deepEqual(parseGpuList('0,1, 3'), [0, 1, 3]);
  assert.throws(
    () => parseGpuList('0,one'),
    /--gpus: expected comma-separated GPU indices such as 0,1, got "0,one"$/,
  );
  assert.throws(() => parseGpuList('', 'CHORUS_GPUS'), /CHORUS_GPUS: expected/);
  assert.throws(() => parseGpuList('-1'), /--gpus/);
});
