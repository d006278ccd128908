import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { Registry } from 'prom-client';
import { isThreadMetricsMessage } from '../../worker/metrics/threadMetricsMessage.ts';
import type { ThreadMetricsMessage } from '../../worker/metrics/threadMetricsMessage.ts';
import { ThreadMetricsRecorder } from '../../worker/metrics/threadMetricsRecorder.ts';
import { createWorkerMetrics } from '../../worker/metrics/workerMetrics.ts';
import type { TaskMetricsContext } from '../../worker/metrics/workerMetrics.ts';
import type { MetricsThreadRequest } from './metricsThread.ts';

/** One series of a metric as prom-client returns it (histograms name their parts). */
type Sample = { value: number; labels: Record<string, string | number | undefined>; metricName?: string };

async function series(registry: Registry, name: string): Promise<Sample[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values as Sample[];
}

async function scalar(registry: Registry, name: string): Promise<number | undefined> {
  return (await series(registry, name))[0]?.value;
}

const task: TaskMetricsContext = { job: 'j1', task: 'train:mlp-0', kind: 'train' };
const other: TaskMetricsContext = { job: 'j1', task: 'distill:s', kind: 'distill' };

test('the worker registers exactly the metrics of DESIGN.md plus the defaults', async () => {
  const registry = new Registry();
  createWorkerMetrics(registry);
  const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
  assert.deepEqual(names.filter((n) => n.startsWith('chorus_')).sort(), [
    'chorus_worker_backend_info',
    'chorus_worker_busy_slots',
    'chorus_worker_gpu_busy_slots',
    'chorus_worker_gpu_samples_trained_total',
    'chorus_worker_gpu_slots',
    'chorus_worker_samples_trained_total',
    'chorus_worker_slots',
    'chorus_worker_step_duration_seconds',
    'chorus_worker_tfjs_memory_bytes',
    'chorus_worker_training_loss',
  ]);
  assert.ok(names.includes('process_resident_memory_bytes'));
  assert.ok(names.includes('nodejs_eventloop_lag_seconds'));
});

test('slots, busy slots, loss per running task and tfjs memory follow tasks starting and ending', async () => {
  const registry = new Registry();
  const m = createWorkerMetrics(registry);
  m.setSlots(4);
  m.taskStarted(task);
  m.taskStarted(other);
  assert.equal(await scalar(registry, 'chorus_worker_slots'), 4);
  assert.equal(await scalar(registry, 'chorus_worker_busy_slots'), 2);

  m.observeTaskProgress({ epoch: 1, loss: 1.25 }, task);
  m.observeThreadMessage({ type: 'progress', progress: { loss: 0.5 } }, other);
  assert.deepEqual(
    (await series(registry, 'chorus_worker_training_loss')).map((v) => [v.labels.task, v.value]).sort(),
    [
      ['distill:s', 0.5],
      ['train:mlp-0', 1.25],
    ],
  );
  assert.ok(
    m.applyThreadMetrics({ type: 'metrics', samples: 0, stepSeconds: [], tfMemoryBytes: 1000 }, task),
  );
  assert.ok(
    m.applyThreadMetrics({ type: 'metrics', samples: 0, stepSeconds: [], tfMemoryBytes: 500 }, other),
  );
  assert.equal(await scalar(registry, 'chorus_worker_tfjs_memory_bytes'), 1500);

  m.taskEnded(task);
  assert.equal(await scalar(registry, 'chorus_worker_busy_slots'), 1);
  assert.equal(await scalar(registry, 'chorus_worker_tfjs_memory_bytes'), 500);
  const left = await series(registry, 'chorus_worker_training_loss');
  assert.deepEqual(
    left.map((v) => v.labels.task),
    ['distill:s'],
    "an ended task's loss series is removed",
  );
  // A late message for an ended task creates no series that nothing would remove.
  m.observeTaskProgress({ loss: 3 }, task);
  assert.equal((await series(registry, 'chorus_worker_training_loss')).length, 1);

  m.dropJob('j1');
  assert.equal((await series(registry, 'chorus_worker_training_loss')).length, 0);
  assert.equal(await scalar(registry, 'chorus_worker_busy_slots'), 0);
});

test('countBusyWith reads busy slots from the worker loop at scrape time', async () => {
  const registry = new Registry();
  const m = createWorkerMetrics(registry);
  let busy = 3;
  m.countBusyWith(() => busy);
  assert.equal(await scalar(registry, 'chorus_worker_busy_slots'), 3);
  busy = 1;
  m.taskStarted(task);
  assert.equal(await scalar(registry, 'chorus_worker_busy_slots'), 1);
});

test('applyThreadMetrics counts samples and step times by kind, and refuses malformed messages', async () => {
  const registry = new Registry();
  const m = createWorkerMetrics(registry);
  m.taskStarted(task);
  const message: ThreadMetricsMessage = {
    type: 'metrics',
    samples: 256,
    stepSeconds: [0.002, 0.02, 0.2],
    loss: 0.9,
  };
  assert.ok(m.applyThreadMetrics(message, task));
  const samples = await series(registry, 'chorus_worker_samples_trained_total');
  assert.equal(samples.find((v) => v.labels.kind === 'train')?.value, 256);
  const steps = await series(registry, 'chorus_worker_step_duration_seconds');
  const count = steps.find(
    (v) => v.metricName === 'chorus_worker_step_duration_seconds_count' && v.labels.kind === 'train',
  );
  const le01 = steps.find(
    (v) =>
      v.metricName === 'chorus_worker_step_duration_seconds_bucket' &&
      v.labels.kind === 'train' &&
      v.labels.le === 0.025,
  );
  assert.equal(count?.value, 3);
  assert.equal(le01?.value, 2);

  for (const bad of [
    null,
    { type: 'metrics', samples: -1, stepSeconds: [] },
    { type: 'metrics', samples: 1, stepSeconds: [Number.NaN] },
    { type: 'metrics', samples: 1, stepSeconds: 'x' },
    { type: 'progress', samples: 1, stepSeconds: [] },
    { type: 'metrics', samples: 1, stepSeconds: [], loss: Infinity },
  ]) {
    assert.equal(isThreadMetricsMessage(bad), false, JSON.stringify(bad));
    assert.equal(m.applyThreadMetrics(bad, task), false);
  }
  assert.equal(samples.find((v) => v.labels.kind === 'train')?.value, 256);
});

test('backend info: one series, replaced on change, kept by a name-only update of the same backend', async () => {
  const registry = new Registry();
  const m = createWorkerMetrics(registry);
  m.setBackend({ name: 'tensorflow', package: '@tensorflow/tfjs-node-gpu', version: '4.22.0', gpu: true });
  m.observeThreadMessage({ type: 'backend', name: 'tensorflow', patchedKernels: [] }, task);
  let info = await series(registry, 'chorus_worker_backend_info');
  assert.deepEqual(
    info.map((v) => ({ ...v.labels, value: v.value })),
    [
      {
        backend: 'tensorflow',
        package: '@tensorflow/tfjs-node-gpu',
        version: '4.22.0',
        gpu: 'true',
        value: 1,
      },
    ],
  );
  m.observeThreadMessage({ type: 'backend', name: 'wasm', patchedKernels: ['BatchMatMul'] }, task);
  info = await series(registry, 'chorus_worker_backend_info');
  assert.deepEqual(
    info.map((v) => v.labels.backend),
    ['wasm'],
  );
});

test('ThreadMetricsRecorder batches steps by time and by count, and flush sends the rest', () => {
  const sent: ThreadMetricsMessage[] = [];
  let now = 0;
  const r = new ThreadMetricsRecorder((msg) => sent.push(msg), {
    intervalMs: 100,
    maxSteps: 3,
    now: () => now,
  });
  r.step(32, 0.01, 2);
  r.step(32, 0.01, 1.9);
  assert.equal(sent.length, 0, 'nothing sent within the interval');
  now = 150;
  r.step(16, 0.02, 1.8);
  assert.deepEqual(sent, [{ type: 'metrics', samples: 80, stepSeconds: [0.01, 0.01, 0.02], loss: 1.8 }]);
  r.step(1, 0.1);
  r.step(1, 0.1);
  r.step(1, 0.1);
  assert.equal(sent.length, 2, 'maxSteps forces a send');
  r.flush();
  assert.equal(sent.length, 2, 'an empty flush sends nothing');
  r.step(5, 0.5, 0.3);
  r.flush();
  assert.deepEqual(sent[2], { type: 'metrics', samples: 5, stepSeconds: [0.5], loss: 0.3 });
});

test('metrics recorded inside piscina threads reach the main thread registry', async () => {
  const registry = new Registry();
  const m = createWorkerMetrics(registry);
  const pool = new Piscina({
    filename: new URL('./metricsThreadEntry.mjs', import.meta.url).href,
    minThreads: 2,
    maxThreads: 2,
  });
  try {
    const runOne = async (ctx: TaskMetricsContext, steps: number) => {
      const { port1, port2 } = new MessageChannel();
      let ended!: () => void;
      const end = new Promise<void>((resolve) => (ended = resolve));
      port1.on('message', (message: { type?: unknown }) => {
        if (message.type === 'end') ended();
        else m.observeThreadMessage(message, ctx);
      });
      m.taskStarted(ctx);
      const request: MetricsThreadRequest = { port: port2, steps, batch: 32 };
      const result = (await pool.run(request, { transferList: [port2] })) as number;
      await end;
      port1.close();
      return result;
    };
    await Promise.all([runOne(task, 200), runOne(other, 50)]);
    const samples = await series(registry, 'chorus_worker_samples_trained_total');
    assert.equal(samples.find((v) => v.labels.kind === 'train')?.value, 200 * 32);
    assert.equal(samples.find((v) => v.labels.kind === 'distill')?.value, 50 * 32);
    const steps = await series(registry, 'chorus_worker_step_duration_seconds');
    const count = (kind: string) =>
      steps.find(
        (v) => v.metricName === 'chorus_worker_step_duration_seconds_count' && v.labels.kind === kind,
      )?.value;
    assert.equal(count('train'), 200);
    assert.equal(count('distill'), 50);
    assert.equal(await scalar(registry, 'chorus_worker_tfjs_memory_bytes'), 2 * 2048);
    const loss = await series(registry, 'chorus_worker_training_loss');
    assert.equal(loss.find((v) => v.labels.task === 'train:mlp-0')?.value, 2 - 199 / 200);
  } finally {
    await pool.destroy();
  }
});
