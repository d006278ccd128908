import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { startMetricsServer } from '../../observability/metricsServer.ts';
import { startPrometheus } from '../support/prometheus.ts';
import { populate } from './populatedMetrics.ts';

test('a real Prometheus scrapes a Chorus metrics server and sees a counter rise', async () => {
  const coordinatorRegistry = new Registry();
  const workerRegistry = new Registry();
  const { coordinator, worker } = populate(coordinatorRegistry, workerRegistry);
  const coordinatorServer = await startMetricsServer({
    port: 0,
    host: '127.0.0.1',
    registry: coordinatorRegistry,
  });
  const workerServer = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: workerRegistry });
  const prometheus = await startPrometheus({
    scrape: [
      { job: 'chorus-coordinator', targets: [`127.0.0.1:${coordinatorServer.port}`] },
      { job: 'chorus-worker', targets: [`127.0.0.1:${workerServer.port}`] },
    ],
  });
  try {
    const up = await prometheus.waitFor('up{job=~"chorus-.*"} == 1', (s) => s.length === 2);
    assert.deepEqual(up.map((s) => s.metric.job).sort(), ['chorus-coordinator', 'chorus-worker']);

    const samples = 'chorus_worker_samples_trained_total{kind="train"}';
    const before = await prometheus.waitFor(samples, (s) => s.length === 1);
    assert.equal(before[0]?.value[1], '256');
    assert.equal(before[0]?.metric.job, 'chorus-worker');

    worker.applyThreadMetrics(
      { type: 'metrics', samples: 1000, stepSeconds: [0.01] },
      { job: 'job-1', task: 'train:b', kind: 'train' },
    );
    const after = await prometheus.waitFor(samples, (s) => s[0]?.value[1] === '1256');
    assert.equal(after.length, 1);

    // Coordinator series arrive with their labels intact (job_id does not clash with the target's job).
    const accuracy = await prometheus.query('chorus_accuracy{role="member"}');
    assert.deepEqual(
      accuracy.map((s) => [s.metric.job, s.metric.job_id, s.metric.name, s.value[1]]),
      [['chorus-coordinator', 'job-1', 'a', '0.91']],
    );
    // A query that does not parse is reported as such (what the dashboard test relies on).
    const bad = await prometheus.queryRaw('sum(rate(chorus_tasks_finished_total[5m])');
    assert.equal(bad.status, 'error');
  } finally {
    await prometheus.stop();
    await coordinatorServer.close();
    await workerServer.close();
    coordinator.close();
  }
});
