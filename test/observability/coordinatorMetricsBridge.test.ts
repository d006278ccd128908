import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import type { JobEvent, JobStatus, ReportText, WorkerInfo } from '../../cluster/api/apiTypes.ts';
import { CoordinatorMetricsBridge } from '../../coordinator/metrics/coordinatorMetricsBridge.ts';
import type { CoordinatorMetricsSource } from '../../coordinator/metrics/coordinatorMetricsBridge.ts';
import { createCoordinatorMetrics } from '../../coordinator/metrics/coordinatorMetrics.ts';
import { planJob } from '../../coordinator/planJob.ts';
import type { SchedulerEvent } from '../../core/tasks/schedulerEvent.ts';
import { parseJobText } from '../../core/spec/loadJob.ts';

// Two members, no stacking: train×2, predict×2, soft-labels×1, distill×2 (student, baseline), report.
const job = parseJobText(
  `
name: bridge
data:
  train: { format: synthetic, count: 50, features: 4, classes: 2 }
  test: { format: synthetic, count: 20, features: 4, classes: 2 }
members:
  - { name: m, replicas: 2, layers: [{ type: dense, units: 4 }] }
distillation:
  student: { layers: [{ type: dense, units: 2 }] }
  shards: 1
`,
  'bridge.yaml',
);
const TASKS = planJob(job);

async function value(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  assert.ok(metric, `metric ${name}`);
  const hit = (await metric.get()).values.find((v) =>
    Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want),
  );
  assert.ok(hit, `${name} ${JSON.stringify(labels)}`);
  return hit.value;
}

/** A stand-in for the coordinator service (this is a unit test of the bridge's bookkeeping). */
function fakeSource(over: Partial<CoordinatorMetricsSource> = {}): CoordinatorMetricsSource & {
  calls: string[];
} {
  const calls: string[] = [];
  return {
    calls,
    getJob: async (jobId) => {
      calls.push(`getJob ${jobId}`);
      return {
        tasks: TASKS.map((t) => ({ id: t.id, type: t.type, state: t.type === 'train' ? 'done' : 'pending' })),
      } as unknown as JobStatus;
    },
    getReport: async (jobId): Promise<ReportText> => {
      calls.push(`getReport ${jobId}`);
      const report = {
        members: [{ name: 'm-0', accuracy: 0.7 }],
        ensemble: { soft: { accuracy: 0.75 } },
        teacher: { accuracy: 0.75 },
        students: [{ name: 'student', accuracy: 0.72 }],
      };
      return { json: JSON.stringify(report), markdown: '' };
    },
    listWorkers: async () => {
      calls.push('listWorkers');
      return [{ workerId: 'a' }, { workerId: 'b' }] as WorkerInfo[];
    },
    ...over,
  };
}

const stamp = (jobId: string, event: SchedulerEvent): JobEvent => ({ jobId, time: Date.now(), event });

test("job events count the job's planned tasks: pending, running, the queue, then the report's accuracy", async () => {
  const registry = new Registry();
  const metrics = createCoordinatorMetrics(registry);
  const bridge = new CoordinatorMetricsBridge(metrics);
  const source = fakeSource();
  bridge.attach(source);
  bridge.onJobEvent(stamp('j1', { type: 'job-started', total: TASKS.length, alreadyDone: 0 }), job);
  assert.equal(await value(registry, 'chorus_tasks', { kind: 'train', state: 'pending' }), 2);
  assert.equal(await value(registry, 'chorus_tasks', { kind: 'distill', state: 'pending' }), 2);
  // Both members and the baseline student (it needs no teacher) are ready; nothing else is.
  assert.equal(await value(registry, 'chorus_queue_depth'), 3);

  bridge.onJobEvent(stamp('j1', { type: 'task-started', id: 'train:m-0', attempt: 1 }), job);
  assert.equal(await value(registry, 'chorus_queue_depth'), 2);
  assert.equal(await value(registry, 'chorus_tasks', { kind: 'train', state: 'running' }), 1);

  bridge.onRetry('j1', 'train:m-0');
  assert.equal(await value(registry, 'chorus_task_retries_total', { kind: 'train' }), 1);
  assert.equal(await value(registry, 'chorus_task_failures_total', { kind: 'train' }), 1);
  bridge.onLogitBytes(400);
  assert.equal(await value(registry, 'chorus_prediction_bytes_received_total'), 400);

  bridge.onJobEvent(stamp('j1', { type: 'job-done', seconds: 1 }), job);
  await bridge.settled();
  assert.deepEqual(
    source.calls.filter((c) => c.startsWith('get')),
    ['getReport j1'],
  );
  assert.equal(
    await value(registry, 'chorus_accuracy', { job_id: 'j1', role: 'ensemble', name: 'soft' }),
    0.75,
  );
  assert.equal(await value(registry, 'chorus_jobs_finished_total', { state: 'done' }), 1);
  assert.equal(await value(registry, 'chorus_jobs', { state: 'running' }), 0);
  assert.equal(await value(registry, 'chorus_queue_depth'), 0);
  assert.equal(await value(registry, 'chorus_workers_connected'), 2);
  bridge.close();
  metrics.close();
});

test('a resumed job: tasks done before count as done once the lookup, deferred until attach, answers', async () => {
  const registry = new Registry();
  const metrics = createCoordinatorMetrics(registry);
  const bridge = new CoordinatorMetricsBridge(metrics);
  // Resumed jobs start while the service starts, before the bridge is attached.
  bridge.onJobEvent(stamp('j2', { type: 'job-started', total: TASKS.length, alreadyDone: 2 }), job);
  assert.equal(await value(registry, 'chorus_queue_depth'), 3, 'the done members still look ready');
  const source = fakeSource();
  bridge.attach(source);
  await bridge.settled();
  assert.ok(source.calls.includes('getJob j2'));
  assert.equal(await value(registry, 'chorus_tasks', { kind: 'train', state: 'done' }), 2);
  // Now the two predicts, the soft labels and the baseline are the ready ones.
  assert.equal(await value(registry, 'chorus_queue_depth'), 4);
  assert.equal(await value(registry, 'chorus_tasks', { kind: 'predict', state: 'pending' }), 2);
  bridge.close();
  metrics.close();
});

test('failing lookups are logged, never thrown; an unknown job still gets kinds from its task ids', async () => {
  const registry = new Registry();
  const metrics = createCoordinatorMetrics(registry);
  const lines: string[] = [];
  const bridge = new CoordinatorMetricsBridge(metrics, { log: (l) => lines.push(l), workersIntervalMs: 20 });
  bridge.attach(
    fakeSource({
      getReport: () => Promise.reject(new Error('no report')),
      listWorkers: () => Promise.reject(new Error('kv down')),
    }),
  );
  bridge.onJobEvent(stamp('j3', { type: 'task-started', id: 'distill:s', attempt: 1 }), undefined);
  bridge.onJobEvent(
    stamp('j3', { type: 'task-done', id: 'distill:s', result: { type: 'distill' } as never, seconds: 2 }),
    undefined,
  );
  assert.equal(await value(registry, 'chorus_tasks_finished_total', { kind: 'distill', outcome: 'done' }), 1);
  bridge.onJobEvent(stamp('j3', { type: 'job-done', seconds: 2 }), undefined);
  await new Promise((r) => setTimeout(r, 60));
  await bridge.settled();
  assert.ok(
    lines.some((l) => /cannot read the report of j3: Error: no report/.test(l)),
    lines.join('\n'),
  );
  assert.ok(lines.filter((l) => /cannot count workers/.test(l)).length >= 2, 'counted again on the interval');
  bridge.close();
  metrics.close();
});

test('the queue depth adds the tasks waiting in the work queue, read on the interval and soon after task events', async () => {
  const registry = new Registry();
  const metrics = createCoordinatorMetrics(registry);
  const bridge = new CoordinatorMetricsBridge(metrics, { queueDelayMs: 10, workersIntervalMs: 60_000 });
  let waiting = 4;
  let reads = 0;
  bridge.attach(
    fakeSource({
      queuedTasks: async () => {
        reads++;
        return waiting;
      },
    }),
  );
  await bridge.settled();
  assert.equal(reads, 1, 'read once on attach');
  assert.equal(await value(registry, 'chorus_queue_depth'), 4);
  // The scheduler dispatches every ready task at once: they leave "ready" and wait in the work queue.
  bridge.onJobEvent(stamp('j4', { type: 'job-started', total: TASKS.length, alreadyDone: 0 }), job);
  for (const id of ['train:m-0', 'train:m-1', 'distill:student-baseline']) {
    bridge.onJobEvent(stamp('j4', { type: 'task-started', id, attempt: 1 }), job);
  }
  waiting = 3;
  await new Promise((r) => setTimeout(r, 40));
  await bridge.settled();
  assert.equal(reads, 2, 'one read for the burst of events');
  assert.equal(await value(registry, 'chorus_queue_depth'), 3);
  bridge.close();
  metrics.close();
});
