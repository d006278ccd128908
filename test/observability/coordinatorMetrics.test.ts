import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { createCoordinatorMetrics } from '../../coordinator/metrics/coordinatorMetrics.ts';
import type { CoordinatorMetrics } from '../../coordinator/metrics/coordinatorMetrics.ts';
import { jobMetricsContext } from '../../coordinator/metrics/jobMetricsContext.ts';
import type { Report } from '../../core/report/report.ts';
import { JOB_TASKS } from './populatedMetrics.ts';

/** One series of a metric as prom-client returns it (histograms name their parts). */
type Sample = { value: number; labels: Record<string, string | number | undefined>; metricName?: string };

/** The value of one series, or undefined when it does not exist. */
async function value(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const hit = (values as Sample[]).find(
    (v) =>
      Object.keys(labels).length === Object.keys(v.labels).filter((k) => k !== 'le').length &&
      Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want) &&
      ('metricName' in v ? v.metricName === name || v.metricName === undefined : true),
  );
  return hit?.value;
}

async function seriesOf(registry: Registry, name: string): Promise<Record<string, string | number>[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values.map((v) => v.labels as Record<string, string | number>);
}

function setup(options = {}): { registry: Registry; metrics: CoordinatorMetrics } {
  const registry = new Registry();
  return { registry, metrics: createCoordinatorMetrics(registry, options) };
}

const train = {
  type: 'train' as const,
  seconds: 3,
  epochs: 1,
  samples: 10,
  history: { loss: [1] },
  resumedFromEpoch: 0,
  backend: 'cpu',
};

test('the coordinator registers exactly the metrics of DESIGN.md, with bounded labels, and the defaults', async () => {
  const { registry, metrics } = setup();
  const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
  assert.deepEqual(names.filter((n) => n.startsWith('chorus_')).sort(), [
    'chorus_accuracy',
    'chorus_busy_slots',
    'chorus_jobs',
    'chorus_jobs_finished_total',
    'chorus_prediction_bytes_received_total',
    'chorus_queue_depth',
    'chorus_task_duration_seconds',
    'chorus_task_failures_total',
    'chorus_task_retries_total',
    'chorus_tasks',
    'chorus_tasks_finished_total',
    'chorus_workers_connected',
  ]);
  for (const name of [
    'process_cpu_seconds_total',
    'process_resident_memory_bytes',
    'nodejs_eventloop_lag_p99_seconds',
  ]) {
    assert.ok(names.includes(name), `default metric ${name}`);
  }
  // The gauges promtool rejects are gone.
  assert.ok(!names.includes('nodejs_active_handles_total'));
  // Fixed label values exist at zero before any event, so rates and alerts see them.
  assert.equal(
    await value(registry, 'chorus_tasks_finished_total', { kind: 'soft-labels', outcome: 'failed' }),
    0,
  );
  assert.equal(await value(registry, 'chorus_jobs', { state: 'running' }), 0);
  // Every task kind (7, with out-of-fold stacking's fold tasks) in each of the 4 states.
  assert.equal((await seriesOf(registry, 'chorus_tasks')).length, 7 * 4);
  metrics.close();
});

test('scheduler events drive jobs, tasks by kind and state, queue depth, durations, retries and failures', async () => {
  const { registry, metrics } = setup();
  const ctx = jobMetricsContext('j1', JOB_TASKS);
  const ev = (e: Parameters<CoordinatorMetrics['observeSchedulerEvent']>[0]) =>
    metrics.observeSchedulerEvent(e, ctx);

  ev({ type: 'job-started', total: JOB_TASKS.length, alreadyDone: 0 });
  assert.equal(await value(registry, 'chorus_jobs', { state: 'running' }), 1);
  assert.equal(await value(registry, 'chorus_tasks', { kind: 'train', state: 'pending' }), 2);
  assert.equal(await value(registry, 'chorus_tasks', { kind: 'report', state: 'pending' }), 1);
  // Only the two train tasks have their dependencies done.
  assert.equal(await value(registry, 'chorus_queue_depth'), 2);

  ev({ type: 'task-started', id: 'train:a', attempt: 1 });
  assert.equal(await value(registry, 'chorus_tasks', { kind: 'train', state: 'running' }), 1);
  assert.equal(await value(registry, 'chorus_queue_depth'), 1);

  ev({ type: 'task-done', id: 'train:a', seconds: 3, result: train });
  assert.equal(await value(registry, 'chorus_tasks', { kind: 'train', state: 'done' }), 1);
  assert.equal(await value(registry, 'chorus_tasks_finished_total', { kind: 'train', outcome: 'done' }), 1);
  // predict:a is ready now, train:b still is.
  assert.equal(await value(registry, 'chorus_queue_depth'), 2);
  const hist = (await registry.getSingleMetric('chorus_task_duration_seconds')!.get()).values as Sample[];
  const count = hist.find(
    (v) => v.metricName === 'chorus_task_duration_seconds_count' && v.labels.kind === 'train',
  );
  const le5 = hist.find(
    (v) =>
      v.metricName === 'chorus_task_duration_seconds_bucket' &&
      v.labels.kind === 'train' &&
      v.labels.le === 5,
  );
  const le2 = hist.find(
    (v) =>
      v.metricName === 'chorus_task_duration_seconds_bucket' &&
      v.labels.kind === 'train' &&
      v.labels.le === 2.5,
  );
  assert.equal(count?.value, 1);
  assert.equal(le5?.value, 1);
  assert.equal(le2?.value, 0);

  ev({ type: 'task-started', id: 'train:b', attempt: 1 });
  ev({ type: 'task-failed', id: 'train:b', attempt: 1, error: 'Error: oom', willRetry: true });
  assert.equal(await value(registry, 'chorus_task_retries_total', { kind: 'train' }), 1);
  assert.equal(await value(registry, 'chorus_task_failures_total', { kind: 'train' }), 1);
  assert.equal(await value(registry, 'chorus_tasks', { kind: 'train', state: 'pending' }), 1);
  ev({ type: 'task-started', id: 'train:b', attempt: 2 });
  ev({ type: 'task-failed', id: 'train:b', attempt: 2, error: 'Error: oom', willRetry: false });
  assert.equal(await value(registry, 'chorus_task_retries_total', { kind: 'train' }), 1);
  assert.equal(await value(registry, 'chorus_task_failures_total', { kind: 'train' }), 2);
  assert.equal(await value(registry, 'chorus_tasks_finished_total', { kind: 'train', outcome: 'failed' }), 1);
  assert.equal(await value(registry, 'chorus_tasks', { kind: 'train', state: 'failed' }), 1);

  ev({ type: 'job-failed', taskId: 'train:b', error: 'oom' });
  assert.equal(await value(registry, 'chorus_jobs', { state: 'running' }), 0);
  assert.equal(await value(registry, 'chorus_jobs_finished_total', { state: 'failed' }), 1);
  // A finished job's tasks leave the counts and the queue.
  assert.equal(await value(registry, 'chorus_tasks', { kind: 'train', state: 'failed' }), 0);
  assert.equal(await value(registry, 'chorus_queue_depth'), 0);
  metrics.close();
});

test('a resumed job: tasks done in an earlier run are inferred from the tasks that start', async () => {
  const { registry, metrics } = setup();
  const ctx = jobMetricsContext('j2', JOB_TASKS);
  metrics.observeSchedulerEvent({ type: 'job-started', total: JOB_TASKS.length, alreadyDone: 2 }, ctx);
  metrics.observeSchedulerEvent({ type: 'task-started', id: 'soft-labels:0', attempt: 1 }, ctx);
  // train:a and train:b must be done; predict:a, predict:b and soft-labels:1 are ready.
  assert.equal(await value(registry, 'chorus_tasks', { kind: 'train', state: 'done' }), 2);
  assert.equal(await value(registry, 'chorus_queue_depth'), 3);

  const given = jobMetricsContext('j3', JOB_TASKS, ['train:a', 'train:b']);
  metrics.observeSchedulerEvent({ type: 'job-started', total: JOB_TASKS.length, alreadyDone: 2 }, given);
  assert.equal(await value(registry, 'chorus_tasks', { kind: 'train', state: 'done' }), 4);
  assert.equal(await value(registry, 'chorus_queue_depth'), 3 + 4);
  metrics.close();
});

const report = {
  members: [
    { name: 'a', accuracy: 0.9 },
    { name: 'b', accuracy: 0.8 },
  ],
  ensemble: { hard: { accuracy: 0.91 }, soft: { accuracy: 0.92 }, stacking: { accuracy: 0.93 } },
  teacher: { accuracy: 0.92 },
  students: [{ name: 'student-t4', accuracy: 0.88 }],
} as unknown as Report;

test('observeReport sets accuracy for members, ensemble methods, teacher and students; dropJob removes them', async () => {
  const { registry, metrics } = setup();
  metrics.observeAccuracy('unknown-job', 'member', 'x', 0.5);
  assert.deepEqual(
    await seriesOf(registry, 'chorus_accuracy'),
    [],
    'no series for a job the metrics do not know',
  );

  const ctx = jobMetricsContext('j1', JOB_TASKS);
  metrics.observeSchedulerEvent({ type: 'job-started', total: 9, alreadyDone: 0 }, ctx);
  metrics.observeSchedulerEvent(
    { type: 'job-started', total: 9, alreadyDone: 0 },
    jobMetricsContext('j2', JOB_TASKS),
  );
  metrics.observeReport('j1', report);
  metrics.observeReport('j2', report);
  assert.equal(await value(registry, 'chorus_accuracy', { job_id: 'j1', role: 'member', name: 'b' }), 0.8);
  assert.equal(
    await value(registry, 'chorus_accuracy', { job_id: 'j1', role: 'ensemble', name: 'stacking' }),
    0.93,
  );
  assert.equal(
    await value(registry, 'chorus_accuracy', { job_id: 'j1', role: 'teacher', name: 'teacher' }),
    0.92,
  );
  assert.equal(
    await value(registry, 'chorus_accuracy', { job_id: 'j1', role: 'student', name: 'student-t4' }),
    0.88,
  );
  // Bounded by the job: its members, three ensemble methods, the teacher, its students.
  assert.equal(
    (await seriesOf(registry, 'chorus_accuracy')).filter((l) => l.job_id === 'j1').length,
    2 + 3 + 1 + 1,
  );

  metrics.dropJob('j1');
  const left = await seriesOf(registry, 'chorus_accuracy');
  assert.ok(left.length > 0 && left.every((l) => l.job_id === 'j2'), 'only j2 series remain');
  assert.equal(await value(registry, 'chorus_jobs', { state: 'running' }), 1);
  assert.deepEqual(metrics.jobIds(), ['j2']);
  metrics.close();
});

test("a finished job's series stay for the grace period, then go; at most maxFinishedJobs are kept", async () => {
  const { registry, metrics } = setup({ finishedJobTtlMs: 50, maxFinishedJobs: 2 });
  for (const job of ['j1', 'j2', 'j3']) {
    const ctx = jobMetricsContext(job, JOB_TASKS);
    metrics.observeSchedulerEvent({ type: 'job-started', total: 9, alreadyDone: 0 }, ctx);
    metrics.observeAccuracy(job, 'member', 'a', 0.5);
    metrics.observeSchedulerEvent({ type: 'job-done', seconds: 1 }, ctx);
  }
  // j1 was dropped to keep two finished jobs; j2 and j3 are still scrapeable.
  assert.deepEqual(metrics.jobIds().sort(), ['j2', 'j3']);
  assert.equal((await seriesOf(registry, 'chorus_accuracy')).length, 2);
  assert.equal(await value(registry, 'chorus_jobs_finished_total', { state: 'done' }), 3);
  await new Promise((r) => setTimeout(r, 120));
  assert.deepEqual(metrics.jobIds(), []);
  assert.deepEqual(await seriesOf(registry, 'chorus_accuracy'), []);
  metrics.close();
});

test('jobQueued counts queued jobs; distributed-mode observers update their series', async () => {
  const { registry, metrics } = setup({ finishedJobTtlMs: 0 });
  metrics.jobQueued('j1');
  assert.equal(await value(registry, 'chorus_jobs', { state: 'queued' }), 1);
  const ctx = jobMetricsContext('j1', JOB_TASKS);
  metrics.observeSchedulerEvent({ type: 'job-started', total: 9, alreadyDone: 0 }, ctx);
  assert.equal(await value(registry, 'chorus_jobs', { state: 'queued' }), 0);
  assert.equal(await value(registry, 'chorus_jobs', { state: 'running' }), 1);
  metrics.observeRetry('distill');
  metrics.observePredictionBytes(1000);
  metrics.observePredictionBytes(24);
  metrics.setWorkersConnected(3);
  assert.equal(await value(registry, 'chorus_task_retries_total', { kind: 'distill' }), 1);
  assert.equal(await value(registry, 'chorus_prediction_bytes_received_total'), 1024);
  assert.equal(await value(registry, 'chorus_workers_connected'), 3);
  // Busy slots by class and client: each reading replaces the last (a client holding none drops out).
  metrics.setBusySlots([
    { priority: 'high', client: 'team-a', slots: 2 },
    { priority: 'low', client: undefined, slots: 1 },
  ]);
  assert.equal(await value(registry, 'chorus_busy_slots', { priority: 'high', client: 'team-a' }), 2);
  assert.equal(await value(registry, 'chorus_busy_slots', { priority: 'low', client: '-' }), 1);
  metrics.setBusySlots([{ priority: 'normal', client: 'team-b', slots: 1 }]);
  assert.equal(await value(registry, 'chorus_busy_slots', { priority: 'high', client: 'team-a' }), undefined);
  assert.equal(await value(registry, 'chorus_busy_slots', { priority: 'low', client: '-' }), 0);
  metrics.observeSchedulerEvent({ type: 'job-interrupted' }, ctx);
  assert.equal(await value(registry, 'chorus_jobs_finished_total', { state: 'interrupted' }), 1);
  // TTL 0: dropped at once.
  assert.deepEqual(metrics.jobIds(), []);
  metrics.close();
});

test('coordinator and worker metrics share one registry in embedded mode', async () => {
  const registry = new Registry();
  const { createWorkerMetrics } = await import('../../worker/metrics/workerMetrics.ts');
  const c = createCoordinatorMetrics(registry);
  assert.doesNotThrow(() => createWorkerMetrics(registry));
  assert.ok(registry.getSingleMetric('chorus_worker_slots'));
  assert.ok(registry.getSingleMetric('process_cpu_seconds_total'));
  c.close();
});
