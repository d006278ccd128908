import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { planJob } from '../../coordinator/planJob.ts';
import { prepareData } from '../../core/data/prepareData.ts';
import { parseJobText } from '../../core/spec/loadJob.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import type { PoolTask } from '../../core/tasks/task.ts';
import type { PreparedData } from '../../core/tasks/taskContext.ts';
import type { TaskProgress } from '../../core/tasks/taskProgress.ts';
import type { ThreadMetricsMessage } from '../../worker/metrics/threadMetricsMessage.ts';
import type { ThreadMessage } from '../../worker/poolMessages.ts';
import { ThreadPool } from '../../worker/threadPool.ts';

// Small batches and several epochs: many steps, so the thread posts right up to its return.
const JOB = `
name: pool-messages
data:
  train: { format: synthetic, count: 240, features: 8, classes: 3, seed: 5, sampleSeed: 1 }
  test: { format: synthetic, count: 60, features: 8, classes: 3, seed: 5, sampleSeed: 2 }
  validationSplit: 0
members:
  - { name: m, replicas: 2, layers: [{ type: dense, units: 8, activation: relu }], train: { epochs: 3, batchSize: 16 } }
distillation:
  student: { layers: [{ type: dense, units: 4, activation: relu }], train: { epochs: 2, batchSize: 16 } }
  shards: 1
runtime: { slots: 2, backend: cpu }
`;

let dir = '';
let job: ResolvedJob;
let data: PreparedData;
let pool: ThreadPool;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chorus-pool-messages-'));
  job = parseJobText(JOB, 'pool-messages.yaml');
  data = await prepareData(job.data, dir, job.seed);
  pool = new ThreadPool(2);
});
after(async () => {
  await pool.close();
  await rm(dir, { recursive: true, force: true });
});

function taskOf(id: string): PoolTask {
  const task = planJob(job).find((t) => t.id === id);
  assert.ok(task, `the plan has ${id}`);
  return task as PoolTask;
}

async function run(
  task: PoolTask,
): Promise<{ outcome: Awaited<ReturnType<ThreadPool['run']>>; messages: ThreadMessage[] }> {
  const messages: ThreadMessage[] = [];
  const outcome = await pool.run(
    { task, job, data, artifacts: { kind: 'fs', root: dir }, backend: 'cpu', attempt: 1 },
    (m) => messages.push(m),
  );
  return { outcome, messages };
}

test('every message a thread posts before its task returns is delivered, the last metrics included', async () => {
  // Two members at once on two threads, several times: a dropped last message would show in one of them.
  for (let round = 0; round < 3; round++) {
    const runs = await Promise.all([run(taskOf('train:m-0')), run(taskOf('train:m-1'))]);
    for (const { outcome, messages } of runs) {
      assert.ok(outcome.ok, outcome.ok ? '' : outcome.error.message);
      assert.equal(outcome.result.type, 'train');
      if (outcome.result.type !== 'train') return;
      assert.equal(outcome.result.samples, 240 * 3);

      // The end marker is the pool's business: callers never see it.
      assert.ok(messages.every((m) => (m.type as string) !== 'end'));
      const metrics = messages.filter((m): m is ThreadMetricsMessage => m.type === 'metrics');
      const samples = metrics.reduce((n, m) => n + m.samples, 0);
      const steps = metrics.reduce((n, m) => n + m.stepSeconds.length, 0);
      assert.equal(samples, outcome.result.samples, 'every trained sample reached the metrics');
      assert.equal(steps, 3 * Math.ceil(240 / 16), 'one step time per mini-batch');
      assert.ok(metrics.every((m) => m.stepSeconds.every((s) => s > 0 && s < 10)));
      const last = metrics.at(-1);
      assert.ok(last?.tfMemoryBytes !== undefined && last.tfMemoryBytes >= 0);

      // The progress report of the very last batch arrives too.
      const progress = messages
        .filter((m): m is { type: 'progress'; progress: TaskProgress } => m.type === 'progress')
        .map((m) => m.progress)
        .filter((p) => p.epoch !== undefined);
      assert.deepEqual(
        { epoch: progress.at(-1)?.epoch, batch: progress.at(-1)?.batch },
        { epoch: 3, batch: Math.ceil(240 / 16) },
      );
      const backend = messages.find((m) => m.type === 'backend');
      assert.equal(backend?.type === 'backend' ? backend.name : undefined, 'cpu');
      assert.equal(backend?.type === 'backend' ? backend.package : undefined, '@tensorflow/tfjs-backend-cpu');
    }
  }
});

test('a task that fails still ends its message stream, and the pool runs the next task', async () => {
  // predict before its member was trained in this folder: the model is missing.
  const { outcome, messages } = await run({
    ...taskOf('predict:m-0'),
    id: 'predict:m-0',
    member: 'nope',
  } as PoolTask);
  assert.equal(outcome.ok, false);
  assert.ok(messages.some((m) => m.type === 'backend'));
  const next = await run(taskOf('train:m-0'));
  assert.ok(next.outcome.ok);
});

test('a yield request reaches the thread: the training task checkpoints its epoch and gives its slot back', async () => {
  // Asked before the task starts: the thread hears it while it loads, and stops after the first epoch.
  const yieldNow = new AbortController();
  yieldNow.abort();
  const outcome = await pool.run(
    {
      task: taskOf('train:m-1'),
      job,
      data,
      artifacts: { kind: 'fs', root: dir },
      backend: 'cpu',
      attempt: 1,
    },
    () => {},
    undefined,
    yieldNow.signal,
  );
  assert.equal(outcome.ok, false);
  assert.equal(outcome.ok ? '' : outcome.error.name, 'TaskYieldedError');
  assert.match(outcome.ok ? '' : outcome.error.message, /after epoch 1, checkpointed/);
  // The next attempt resumes from that checkpoint and finishes.
  const next = await run(taskOf('train:m-1'));
  const result = next.outcome.ok ? next.outcome.result : undefined;
  assert.equal(result?.type === 'train' ? result.resumedFromEpoch : undefined, 1);
});
