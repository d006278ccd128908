import assert from 'node:assert/strict';
import { isRegressionReport } from '../../core/report/regressionReport.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEmbeddedRunMetrics } from '../../cli/metrics/embeddedRunMetrics.ts';
import { runEmbedded } from '../../coordinator/runEmbedded.ts';
import { runChorus } from '../support/chorusProcess.ts';

// 150 rows, 20% validation: 120 training rows, 2 epochs.
const JOB = `
name: embedded-metrics
seed: 2
data:
  train: { format: synthetic, count: 150, features: 6, classes: 3, seed: 4, sampleSeed: 1 }
  test: { format: synthetic, count: 60, features: 6, classes: 3, seed: 4, sampleSeed: 2 }
  validationSplit: 0.2
members:
  - { name: m, replicas: 2, layers: [{ type: dense, units: 8, activation: relu }], train: { epochs: 2, batchSize: 40 } }
runtime: { slots: 1, backend: cpu }
`;

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chorus-embedded-metrics-'));
  await writeFile(join(dir, 'job.yaml'), JOB);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function line(text: string, series: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${series} `));
  return found === undefined ? undefined : Number(found.slice(series.length + 1));
}

test('chorus run metrics: the pool threads’ steps, the tasks and the report reach one registry', async () => {
  const hooks = await startEmbeddedRunMetrics(0, '127.0.0.1');
  try {
    const url = hooks.metrics.server.url;
    const before = await fetch(`${url}/readyz`);
    assert.equal(before.status, 503, 'not ready before the job has started');
    assert.match(await before.text(), /loading the job/);

    const { report } = await runEmbedded({
      jobFile: join(dir, 'job.yaml'),
      out: join(dir, 'out'),
      onStart: (info) => hooks.onStart(info),
      onEvent: (e) => hooks.onEvent(e),
      onThreadMessage: hooks.onThreadMessage,
    });
    hooks.onReport(report);

    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    const text = await (await fetch(`${url}/metrics`)).text();
    // Every training step of both members, the last ones included.
    assert.equal(line(text, 'chorus_worker_samples_trained_total{kind="train"}'), 2 * 2 * 120);
    assert.equal(line(text, 'chorus_worker_step_duration_seconds_count{kind="train"}'), 2 * 2 * 3);
    assert.equal(line(text, 'chorus_worker_slots'), 1);
    assert.equal(line(text, 'chorus_worker_busy_slots'), 0);
    assert.equal(line(text, 'chorus_tasks_finished_total{kind="train",outcome="done"}'), 2);
    assert.equal(line(text, 'chorus_tasks_finished_total{kind="report",outcome="done"}'), 1);
    assert.equal(line(text, 'chorus_jobs_finished_total{state="done"}'), 1);
    assert.equal(line(text, 'chorus_queue_depth'), 0);
    assert.match(
      text,
      /^chorus_worker_backend_info\{backend="cpu",package="@tensorflow\/tfjs-backend-cpu",version="[^"]+",gpu="false"\} 1$/m,
    );
    const soft = line(text, 'chorus_accuracy{job_id="embedded-metrics",role="ensemble",name="soft"}');
    assert.ok(!isRegressionReport(report));
    assert.equal(soft, report.ensemble.soft?.accuracy);
  } finally {
    await hooks.close();
  }
});

test('chorus run --metrics-port: a port in use is refused before the job starts, naming the flag', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, resolve));
  const { port } = blocker.address() as AddressInfo;
  try {
    const { code, stderr } = await runChorus(
      ['run', join(dir, 'job.yaml'), '--out', join(dir, 'blocked'), '--metrics-port', String(port)],
      { timeoutMs: 120_000 },
    );
    assert.equal(code, 1, stderr);
    assert.match(
      stderr,
      new RegExp(`the metrics port ${port} is already in use: choose another with --metrics-port`),
    );
  } finally {
    await new Promise((r) => blocker.close(r));
  }
});
