import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { planJob } from '../../coordinator/planJob.ts';
import { prepareData } from '../../core/data/prepareData.ts';
import { parseJobText } from '../../core/spec/loadJob.ts';
import type { PoolTask } from '../../core/tasks/task.ts';
import type { PreparedData } from '../../core/tasks/taskContext.ts';
import type { ThreadMessage } from '../../worker/poolMessages.ts';
import { planPool } from '../../worker/poolPlacement.ts';
import { readDataFile, writeDataFile } from '../../worker/processPool/dataFile.ts';
import { ProcessPool } from '../../worker/processPool/processPool.ts';
import { writeStandInNativeBackend, type LoadRecord } from '../support/standInNativeBackend.ts';

// Epochs enough for a train task to run for a few seconds on the cpu backend: long enough to kill.
const job = parseJobText(`
name: pool
data:
  train: { format: synthetic, count: 1000, features: 16, classes: 3, seed: 3, sampleSeed: 1 }
  test: { format: synthetic, count: 100, features: 16, classes: 3, seed: 3, sampleSeed: 2 }
members:
  - { name: m, replicas: 2, layers: [{ type: dense, units: 32, activation: relu }], train: { epochs: 6, batchSize: 16 } }
runtime: { backend: cpu }
`);

let dir = '';
let data: PreparedData;
let train: PoolTask;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chorus-process-pool-'));
  data = await prepareData(job.data, dir, job.seed);
  const task = planJob(job).find((t) => t.id === 'train:m-0');
  assert.ok(task && task.type === 'train');
  train = task;
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const request = (attempt = 1) => ({
  task: train,
  job,
  data,
  artifacts: { kind: 'fs' as const, root: join(dir, 'out') },
  backend: 'cpu' as const,
  attempt,
});

test('a data file gives back every split, value for value, with its shape and classes', async () => {
  const file = join(dir, 'data.bin');
  // A view that does not start at its buffer's beginning must be written as the view, not the buffer.
  const offsetTest = { ...data.test, x: new Float32Array([9, ...data.test.x]).subarray(1) };
  await writeDataFile(file, { ...data, test: offsetTest });
  const read = readDataFile(file);
  for (const split of ['train', 'validation', 'test'] as const) {
    assert.deepEqual(read[split].x, data[split].x, split);
    assert.deepEqual(read[split].y, data[split].y, split);
    assert.equal(read[split].count, data[split].count);
    assert.deepEqual(read[split].sampleShape, data[split].sampleShape);
    assert.equal(read[split].classes, data[split].classes);
  }
  assert.equal(read.classes, data.classes);
  assert.deepEqual(read.sampleShape, data.sampleShape);
  await assert.rejects(writeDataFile(file, data), /EEXIST/, 'never overwrites a file a child may be reading');
});

test('--gpus 0,1 --slots-per-gpu 2: four children, each loading the native backend with its own GPU', async () => {
  const standIn = await writeStandInNativeBackend(join(dir, 'stand-in'));
  const before = process.env.NODE_PATH;
  process.env.NODE_PATH = standIn.env.NODE_PATH;
  const pool = new ProcessPool(
    planPool({ backend: 'tensorflow-gpu', gpus: [0, 1], slotsPerGpu: 2 }).children,
  );
  try {
    const warmed = await pool.warmUp('tensorflow-gpu');
    assert.deepEqual(
      warmed.map((w) => [w.backend, w.gpu]),
      [
        ['tensorflow', 0],
        ['tensorflow', 0],
        ['tensorflow', 1],
        ['tensorflow', 1],
      ],
    );
    const loads = (await readFile(standIn.record, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LoadRecord);
    assert.equal(loads.length, 4, 'the addon loaded once in each child');
    const pids = await pool.pids();
    assert.deepEqual(new Set(loads.map((l) => l.pid)), new Set(pids), 'each load in its own child process');
    assert.equal(new Set(pids).size, 4);
    assert.ok(!pids.includes(process.pid));
    const byPid = new Map(loads.map((l) => [l.pid, l]));
    assert.deepEqual(
      pids.map((pid) => [byPid.get(pid!)?.CUDA_VISIBLE_DEVICES, byPid.get(pid!)?.TF_FORCE_GPU_ALLOW_GROWTH]),
      [
        ['0', 'true'],
        ['0', 'true'],
        ['1', 'true'],
        ['1', 'true'],
      ],
    );
    assert.equal(process.env.CUDA_VISIBLE_DEVICES, undefined, "the pool's own process is not placed");
  } finally {
    await pool.close();
    if (before === undefined) delete process.env.NODE_PATH;
    else process.env.NODE_PATH = before;
  }
});

test('a child killed mid-task fails only that task, retryably; it is replaced and the next task runs', async () => {
  const pool = new ProcessPool(planPool({ backend: 'cpu', slots: 1, isolation: 'process' }).children);
  try {
    const [first] = await pool.pids();
    assert.ok(first !== undefined);
    const messages: ThreadMessage[] = [];
    const running = pool.run(request(), (m) => messages.push(m));
    // Killed once it trains (its first progress message), not before it started.
    while (!messages.some((m) => m.type === 'progress')) await new Promise((r) => setTimeout(r, 20));
    process.kill(first, 'SIGKILL');
    const outcome = await running;
    assert.equal(outcome.ok, false);
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.name, 'PoolChildExitedError');
    assert.match(
      outcome.error.message,
      new RegExp(`pool process ${first} \\(slot 0\\) was killed by SIGKILL`),
    );
    assert.equal(outcome.error.retryable, true);

    const again = await pool.run(request(2), () => undefined);
    assert.equal(again.ok, true, JSON.stringify(again));
    assert.ok(again.ok && !('gpu' in again.result), 'a child placed on no GPU names none');
    const [replacement] = await pool.pids();
    assert.ok(replacement !== undefined && replacement !== first, 'a new child took the slot');
  } finally {
    await pool.close();
  }
});

test('an aborted task ends at once as an AbortError and its child is replaced', async () => {
  const pool = new ProcessPool(planPool({ backend: 'cpu', slots: 1, isolation: 'process' }).children);
  try {
    const [first] = await pool.pids();
    const controller = new AbortController();
    const messages: ThreadMessage[] = [];
    const running = pool.run(request(), (m) => messages.push(m), controller.signal);
    while (!messages.some((m) => m.type === 'progress')) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const outcome = await running;
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.name, 'AbortError');
    const warmed = await pool.warmUp('cpu');
    assert.equal(warmed.length, 1);
    assert.notEqual(warmed[0]?.threadId, first, 'the warm-up ran in the replacement');
  } finally {
    await pool.close();
  }
});

test('a task asked to yield in a child process ends its epoch, checkpointed, as TaskYieldedError; the child stays', async () => {
  const pool = new ProcessPool(planPool({ backend: 'cpu', slots: 1, isolation: 'process' }).children);
  try {
    const [first] = await pool.pids();
    const yieldController = new AbortController();
    const messages: ThreadMessage[] = [];
    const running = pool.run(request(), (m) => messages.push(m), undefined, yieldController.signal);
    while (!messages.some((m) => m.type === 'progress')) await new Promise((r) => setTimeout(r, 20));
    yieldController.abort();
    const outcome = await running;
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.name, 'TaskYieldedError', outcome.error.message);
    const epochs = messages.filter((m) => m.type === 'progress').length;
    assert.ok(epochs < 6 * 2, `stopped before the last epoch (${epochs} progress messages)`);
    assert.deepEqual(await pool.pids(), [first], 'a yield is not a crash: the same child serves on');
  } finally {
    await pool.close();
  }
});
