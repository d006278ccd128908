import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jobMetricsContext } from '../../coordinator/metrics/jobMetricsContext.ts';
import { startProcessMetrics } from '../../cli/metrics/processMetrics.ts';
import { JOB_TASKS } from './populatedMetrics.ts';

const line = (text: string, series: string) =>
  text
    .split('\n')
    .find((l) => l.startsWith(`${series} `))
    ?.slice(series.length + 1);

test('embedded process metrics: scheduler events drive coordinator and worker series on one endpoint', async () => {
  const m = await startProcessMetrics({ role: 'embedded', port: 0, host: '127.0.0.1' });
  try {
    assert.ok(m.coordinator && m.worker);
    const ctx = jobMetricsContext('demo', JOB_TASKS);
    m.onSchedulerEvent({ type: 'job-started', total: JOB_TASKS.length, alreadyDone: 0 }, ctx);
    m.onSchedulerEvent({ type: 'task-started', id: 'train:a', attempt: 1 }, ctx);
    m.onSchedulerEvent({ type: 'task-progress', id: 'train:a', progress: { loss: 0.25 } }, ctx);
    let text = await (await fetch(`${m.server.url}/metrics`)).text();
    assert.equal(line(text, 'chorus_worker_busy_slots'), '1');
    assert.equal(line(text, 'chorus_worker_training_loss{job_id="demo",task="train:a"}'), '0.25');
    assert.equal(line(text, 'chorus_tasks{kind="train",state="running"}'), '1');

    m.onSchedulerEvent({ type: 'task-failed', id: 'train:a', attempt: 1, error: 'x', willRetry: true }, ctx);
    text = await (await fetch(`${m.server.url}/metrics`)).text();
    assert.equal(line(text, 'chorus_worker_busy_slots'), '0');
    assert.equal(line(text, 'chorus_worker_training_loss{job_id="demo",task="train:a"}'), undefined);
    assert.equal(line(text, 'chorus_task_retries_total{kind="train"}'), '1');
    assert.equal((await fetch(`${m.server.url}/readyz`)).status, 200);
  } finally {
    await m.close();
  }
});

test('a worker process has only worker metrics; a coordinator only coordinator metrics', async () => {
  const w = await startProcessMetrics({ role: 'worker', port: 0, host: '127.0.0.1' });
  const c = await startProcessMetrics({
    role: 'coordinator',
    port: 0,
    host: '127.0.0.1',
    isReady: () => ({ ready: false, reason: 'nats: connecting' }),
  });
  try {
    assert.equal(w.coordinator, undefined);
    assert.ok(w.registry.getSingleMetric('chorus_worker_slots'));
    assert.equal(w.registry.getSingleMetric('chorus_jobs'), undefined);
    assert.equal(c.worker, undefined);
    assert.ok(c.registry.getSingleMetric('chorus_jobs'));
    const ready = await fetch(`${c.server.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(await ready.text(), 'not ready: nats: connecting\n');
  } finally {
    await w.close();
    await c.close();
  }
});
