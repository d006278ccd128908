import { Registry } from 'prom-client';
import { CoordinatorMetrics } from '../../coordinator/metrics/coordinatorMetrics.ts';
import { jobMetricsContext } from '../../coordinator/metrics/jobMetricsContext.ts';
import type { JobMetricsContext } from '../../coordinator/metrics/jobMetricsContext.ts';
import type { TaskShape } from '../../coordinator/metrics/jobTaskStates.ts';
import { WorkerMetrics } from '../../worker/metrics/workerMetrics.ts';

/** A small job's task graph: two members, stacking, two soft-label shards, one student. */
export const JOB_TASKS: TaskShape[] = [
  { id: 'train:a', type: 'train', deps: [] },
  { id: 'train:b', type: 'train', deps: [] },
  { id: 'predict:a', type: 'predict', deps: ['train:a'] },
  { id: 'predict:b', type: 'predict', deps: ['train:b'] },
  { id: 'stack', type: 'stack', deps: ['predict:a', 'predict:b'] },
  { id: 'soft-labels:0', type: 'soft-labels', deps: ['train:a', 'train:b'] },
  { id: 'soft-labels:1', type: 'soft-labels', deps: ['train:a', 'train:b'] },
  { id: 'distill:s', type: 'distill', deps: ['soft-labels:0', 'soft-labels:1'] },
  { id: 'report', type: 'report', deps: ['predict:a', 'predict:b', 'stack', 'distill:s'] },
];

export interface Populated {
  coordinator: CoordinatorMetrics;
  worker: WorkerMetrics;
  ctx: JobMetricsContext;
}

/**
 * Puts a value in every Chorus metric, as a running job would: a job mid-way (a member done, one
 * retried, one training), accuracy of members, ensembles, teacher and a student, and a worker
 * training with a loss. Coordinator and worker metrics go to the registries given (one in embedded mode).
 */
export function populate(
  coordinatorRegistry: Registry,
  workerRegistry: Registry = coordinatorRegistry,
): Populated {
  const coordinator = new CoordinatorMetrics(coordinatorRegistry);
  const worker = new WorkerMetrics(workerRegistry);
  const ctx = jobMetricsContext('job-1', JOB_TASKS);
  const ev = coordinator.observeSchedulerEvent.bind(coordinator);
  ev({ type: 'job-started', total: JOB_TASKS.length, alreadyDone: 0 }, ctx);
  ev({ type: 'task-started', id: 'train:a', attempt: 1 }, ctx);
  ev({ type: 'task-started', id: 'train:b', attempt: 1 }, ctx);
  ev({ type: 'task-done', id: 'train:a', seconds: 42, result: doneTrain }, ctx);
  ev({ type: 'task-failed', id: 'train:b', attempt: 1, error: 'Error: boom', willRetry: true }, ctx);
  ev({ type: 'task-started', id: 'train:b', attempt: 2 }, ctx);
  ev({ type: 'task-started', id: 'predict:a', attempt: 1 }, ctx);
  ev({ type: 'task-done', id: 'predict:a', seconds: 1.5, result: { type: 'predict', seconds: 1.5 } }, ctx);
  coordinator.observePredictionBytes(4096);
  coordinator.setWorkersConnected(2);
  coordinator.setBusySlots([
    { priority: 'high', client: 'team-a', slots: 1 },
    { priority: 'low', client: undefined, slots: 1 },
  ]);
  coordinator.observeAccuracy('job-1', 'member', 'a', 0.91);
  coordinator.observeAccuracy('job-1', 'ensemble', 'soft', 0.94);
  coordinator.observeAccuracy('job-1', 'teacher', 'teacher', 0.94);
  coordinator.observeAccuracy('job-1', 'student', 's', 0.9);

  const task = { job: 'job-1', task: 'train:b', kind: 'train' as const };
  worker.setSlots(2);
  // Two slots placed on GPU 0 (--gpus 0 --slots-per-gpu 2): the per-GPU series exist, at zero.
  worker.setGpuSlots([0, 0]);
  worker.setBackend({
    name: 'wasm',
    package: '@tensorflow/tfjs-backend-wasm',
    version: '4.22.0',
    gpu: false,
  });
  worker.taskStarted(task);
  worker.applyThreadMetrics(
    { type: 'metrics', samples: 256, stepSeconds: [0.012, 0.015], loss: 0.7, tfMemoryBytes: 1_048_576 },
    task,
  );
  return { coordinator, worker, ctx };
}

const doneTrain = {
  type: 'train' as const,
  seconds: 42,
  epochs: 2,
  samples: 1000,
  history: { loss: [1, 0.5] },
  resumedFromEpoch: 0,
  backend: 'wasm',
};

/** Every metric name a Chorus process exposes (coordinator and worker, defaults included), as Prometheus stores them. */
export async function exportedMetricNames(): Promise<Set<string>> {
  const registry = new Registry();
  const { coordinator } = populate(registry);
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const type = String(metric.type);
    if (type === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
    } else if (type === 'summary') {
      for (const suffix of ['', '_sum', '_count']) names.add(metric.name + suffix);
    } else {
      names.add(metric.name);
    }
  }
  coordinator.close();
  return names;
}
