import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { WorkerMetrics } from '../../worker/metrics/workerMetrics.ts';

test('worker metrics by GPU: slots per GPU, busy slots and samples of the tasks placed on each', async () => {
  const registry = new Registry();
  const metrics = new WorkerMetrics(registry);
  metrics.setGpuSlots([0, 0, 1, 1]);
  const task = { job: 'j', task: 'train:m-0', kind: 'train' as const };
  metrics.taskStarted(task);
  // The process pool adds the slot's GPU to the backend message of each task.
  metrics.observeThreadMessage({ type: 'backend', name: 'tensorflow', gpu: true, gpuIndex: 1 }, task);
  metrics.observeThreadMessage({ type: 'metrics', samples: 256, stepSeconds: [0.01, 0.01] }, task);
  const text = await registry.metrics();
  assert.match(text, /^chorus_worker_gpu_slots\{gpu="0"\} 2$/m);
  assert.match(text, /^chorus_worker_gpu_slots\{gpu="1"\} 2$/m);
  assert.match(text, /^chorus_worker_gpu_busy_slots\{gpu="0"\} 0$/m);
  assert.match(text, /^chorus_worker_gpu_busy_slots\{gpu="1"\} 1$/m);
  assert.match(text, /^chorus_worker_gpu_samples_trained_total\{gpu="1"\} 256$/m);
  assert.match(text, /^chorus_worker_gpu_samples_trained_total\{gpu="0"\} 0$/m);
  metrics.taskEnded(task);
  assert.match(await registry.metrics(), /^chorus_worker_gpu_busy_slots\{gpu="1"\} 0$/m);
});
