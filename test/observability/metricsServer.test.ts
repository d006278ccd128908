import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { startMetricsServer } from '../../observability/metricsServer.ts';
import { readinessOf } from '../../observability/readiness.ts';
import { populate } from './populatedMetrics.ts';

async function get(
  url: string,
  method = 'GET',
): Promise<{ status: number; body: string; type: string | undefined }> {
  const res = await fetch(url, { method });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? undefined };
}

test('/metrics serves the registry in Prometheus text format; /healthz answers 200', async () => {
  const registry = new Registry();
  const { coordinator } = populate(registry);
  const server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry });
  try {
    assert.ok(server.port > 0);
    const metrics = await get(`${server.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.type ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(metrics.body, /^chorus_tasks_finished_total\{kind="train",outcome="done"\} 1$/m);
    assert.match(metrics.body, /^chorus_worker_training_loss\{job_id="job-1",task="train:b"\} 0\.7$/m);
    assert.match(metrics.body, /^process_cpu_seconds_total /m);

    const health = await get(`${server.url}/healthz`);
    assert.deepEqual([health.status, health.body], [200, 'ok\n']);
    const head = await get(`${server.url}/healthz`, 'HEAD');
    assert.deepEqual([head.status, head.body], [200, '']);
    assert.equal((await get(`${server.url}/nope`)).status, 404);
    assert.equal((await get(`${server.url}/metrics`, 'POST')).status, 405);
    // Query strings are not part of the path.
    assert.equal((await get(`${server.url}/healthz?probe=1`)).status, 200);
  } finally {
    await server.close();
    coordinator.close();
  }
});

test('/readyz follows isReady: 503 with the reasons, then 200', async () => {
  let nats = false;
  let grpc: boolean | string = 'not listening yet';
  const server = await startMetricsServer({
    port: 0,
    registry: new Registry(),
    isReady: readinessOf({ nats: () => nats, grpc: () => grpc }),
  });
  try {
    let r = await get(`${server.url}/readyz`);
    assert.equal(r.status, 503);
    assert.equal(r.body, 'not ready: nats is not ready; grpc: not listening yet\n');
    nats = true;
    r = await get(`${server.url}/readyz`);
    assert.deepEqual([r.status, r.body], [503, 'not ready: grpc: not listening yet\n']);
    grpc = true;
    r = await get(`${server.url}/readyz`);
    assert.deepEqual([r.status, r.body], [200, 'ready\n']);
    // Liveness does not depend on readiness.
    nats = false;
    assert.equal((await get(`${server.url}/healthz`)).status, 200);
  } finally {
    await server.close();
  }
});

test('readinessOf: a check that throws or rejects counts as not ready; no checks is ready', async () => {
  const isReady = readinessOf({
    a: () => {
      throw new Error('boom');
    },
    b: async () => Promise.reject(new Error('later')),
    c: async () => true,
  });
  assert.deepEqual(await isReady(), {
    ready: false,
    reason: 'a: check failed: boom; b: check failed: later',
  });
  assert.deepEqual(await readinessOf({})(), { ready: true });
});

test('an isReady that throws answers 500 and the server keeps serving', async () => {
  const server = await startMetricsServer({
    port: 0,
    registry: new Registry(),
    isReady: () => {
      throw new Error('kaput');
    },
  });
  try {
    const r = await get(`${server.url}/readyz`);
    assert.equal(r.status, 500);
    assert.match(r.body, /kaput/);
    assert.equal((await get(`${server.url}/healthz`)).status, 200);
  } finally {
    await server.close();
  }
});

test('a port in use is a clear error naming the port and the flag', async () => {
  const first = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: new Registry() });
  try {
    await assert.rejects(
      startMetricsServer({ port: first.port, host: '127.0.0.1', registry: new Registry() }),
      (err: Error) => {
        assert.equal(err.name, 'MetricsPortError');
        assert.match(err.message, new RegExp(`metrics port ${first.port} is already in use.*--metrics-port`));
        return true;
      },
    );
  } finally {
    await first.close();
  }
});

test('close() returns promptly even with a kept-alive scraper connection', async () => {
  const server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: new Registry() });
  const agentReq = await new Promise<void>((resolve, reject) => {
    const req = request(`${server.url}/healthz`, { headers: { Connection: 'keep-alive' } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
  void agentReq;
  const started = Date.now();
  await server.close();
  assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`);
});
