import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { startMetricsServer } from '../../observability/metricsServer.ts';
import { findBinary } from '../support/prometheus.ts';
import { populate } from './populatedMetrics.ts';

/** Runs `promtool check metrics` on `text` (its stdin); resolves with its exit code and output. */
function promtoolCheckMetrics(text: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(findBinary('promtool'), ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  child.stdin.end(text);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

test('promtool check metrics passes on /metrics of a process with coordinator and worker metrics populated', async () => {
  const registry = new Registry();
  const { coordinator } = populate(registry);
  const server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry });
  try {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    // Populated indeed: a series of every kind of Chorus metric is in the text.
    for (const line of [
      /^chorus_accuracy\{job_id="job-1",role="ensemble",name="soft"\} 0\.94$/m,
      /^chorus_task_duration_seconds_bucket\{le="60",kind="train"\} 1$/m,
      /^chorus_worker_backend_info\{backend="wasm",package="@tensorflow\/tfjs-backend-wasm",version="4\.22\.0",gpu="false"\} 1$/m,
      /^chorus_worker_samples_trained_total\{kind="train"\} 256$/m,
    ]) {
      assert.match(text, line);
    }
    const { code, output } = await promtoolCheckMetrics(text);
    assert.equal(code, 0, `promtool check metrics:\n${output}`);
    assert.equal(output.trim(), '');
  } finally {
    await server.close();
    coordinator.close();
  }
});

test('promtool check metrics does reject a misnamed metric (the check above can fail)', async () => {
  const bad = '# HELP chorus_bad_total x\n# TYPE chorus_bad_total gauge\nchorus_bad_total 1\n';
  const { code, output } = await promtoolCheckMetrics(bad);
  assert.notEqual(code, 0);
  assert.match(output, /non-counter metrics should not have "_total" suffix/);
});
