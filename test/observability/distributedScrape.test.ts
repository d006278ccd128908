import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findBinary, startPrometheus, type Prometheus, type VectorSample } from '../support/prometheus.ts';
import { ChorusProcess } from '../support/chorusProcess.ts';
import { startNatsServer, type NatsServer } from '../support/natsServer.ts';

/**
 * The whole metrics path of the distributed mode, with real processes: a nats-server that requires
 * a password, `chorus coordinator` and `chorus worker` (credentials in their --nats URL), a real
 * Prometheus scraping both /metrics, and a small job with one injected retryable failure.
 */

const USER = 'chorus';
const PASSWORD = 'scrape-s3cret:pw';
const PREFIX = `scrape${process.pid}`;

// 2 members, a distilled student and the baseline: train×2, predict×2, soft-labels, distill×2, report.
// 200 rows, 20% validation: 160 training rows; batch 32 → 5 steps an epoch, 2 epochs.
const TRAIN_ROWS = 160;
const EPOCHS = 2;
const STEPS = EPOCHS * Math.ceil(TRAIN_ROWS / 32);
const JOB = `
name: scrape
seed: 3
data:
  train: { format: synthetic, count: 200, features: 8, classes: 3, seed: 3, sampleSeed: 1 }
  test: { format: synthetic, count: 90, features: 8, classes: 3, seed: 3, sampleSeed: 2 }
  validationSplit: 0.2
members:
  - { name: m, replicas: 2, layers: [{ type: dense, units: 8, activation: relu }], train: { epochs: ${EPOCHS}, batchSize: 32 } }
distillation:
  student: { layers: [{ type: dense, units: 4, activation: relu }], train: { epochs: ${EPOCHS}, batchSize: 32 } }
  shards: 1
runtime: { backend: cpu }
`;

/** Chorus processes wait this long for a line by default: start-up runs tsx over the sources. */
const WAIT_MS = 30_000;

function chorus(args: string[], env: Record<string, string> = {}): ChorusProcess {
  return new ChorusProcess(args[0] ?? 'chorus', args, { env });
}

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

const one = (value: number) => (s: VectorSample[]) => s.length === 1 && Number(s[0]?.value[1]) === value;

let dir = '';
let nats: NatsServer;
let prometheus: Prometheus | undefined;
let coordinator: ChorusProcess | undefined;
let worker: ChorusProcess | undefined;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chorus-scrape-'));
  await writeFile(join(dir, 'job.yaml'), JOB);
  nats = await startNatsServer({ auth: { user: USER, password: PASSWORD } });
});

after(async () => {
  await worker?.stop();
  await coordinator?.stop();
  await prometheus?.stop();
  await nats.stop();
  await rm(dir, { recursive: true, force: true });
});

test('Prometheus scrapes a real coordinator and worker through a job: tasks, queue, retries, training, readiness', async () => {
  const natsUrl = `nats://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${nats.port}`;
  const common = ['--nats', natsUrl, '--nats-prefix', PREFIX, '--metrics-port', '0'];
  coordinator = chorus([
    'coordinator',
    ...common,
    '--grpc',
    '127.0.0.1:0',
    '--cache',
    join(dir, 'coordinator'),
  ]);
  const grpcPort = Number(
    (await coordinator.waitForOutput(/coordinator ready: gRPC 127\.0\.0\.1:(\d+)/, WAIT_MS))[1],
  );
  const coordinatorMetrics = `127.0.0.1:${(await coordinator.waitForOutput(/metrics on port (\d+)/, WAIT_MS))[1]}`;

  prometheus = await startPrometheus({
    scrape: [{ job: 'chorus-coordinator', targets: [coordinatorMetrics] }],
  });
  const p = prometheus;
  await p.waitFor('up{job="chorus-coordinator"}', one(1));
  await p.waitFor('chorus_workers_connected', one(0));

  // Submitted with no worker running: every ready task waits in the work queue.
  const submit = chorus([
    'submit',
    join(dir, 'job.yaml'),
    '--coordinator',
    `127.0.0.1:${grpcPort}`,
    '--json',
  ]);
  const jobId = (
    JSON.parse((await submit.waitForOutput(/^\{.*"submitted".*\}$/m, WAIT_MS))[0]) as { jobId: string }
  ).jobId;
  // train×2 and the baseline student need nothing else.
  await p.waitFor('chorus_queue_depth', one(3), 20_000);
  await p.waitFor('chorus_jobs{state="running"}', one(1));
  await p.waitFor('chorus_tasks{kind="predict",state="pending"}', one(2));

  // The worker's first attempt at one member fails (retryable): JetStream delivers it again.
  worker = chorus(
    [
      'worker',
      ...common,
      '--coordinator',
      `127.0.0.1:${grpcPort}`,
      '--slots',
      '1',
      '--cache',
      join(dir, 'worker'),
    ],
    { CHORUS_FAULTS: 'fail@train:m-1#1' },
  );
  const workerMetrics = `127.0.0.1:${(await worker.waitForOutput(/metrics on port (\d+)/, WAIT_MS))[1]}`;
  // Prometheus reads its targets at start: a second instance for the worker keeps this simple.
  const workerProm = await startPrometheus({ scrape: [{ job: 'chorus-worker', targets: [workerMetrics] }] });
  try {
    await workerProm.waitFor('up{job="chorus-worker"}', one(1));
    await p.waitFor('chorus_workers_connected', one(1), 20_000);

    await p.waitFor('chorus_jobs_finished_total{state="done"}', one(1), 90_000);
    for (const [kind, n] of [
      ['train', 2],
      ['predict', 2],
      ['soft-labels', 1],
      ['distill', 2],
      ['report', 1],
    ] as const) {
      await p.waitFor(`chorus_tasks_finished_total{kind="${kind}",outcome="done"}`, one(n));
      await p.waitFor(`chorus_task_duration_seconds_count{kind="${kind}"}`, one(n));
    }
    await p.waitFor('chorus_task_retries_total{kind="train"}', one(1));
    await p.waitFor('chorus_task_failures_total{kind="train"}', one(1));
    await p.waitFor('chorus_queue_depth', one(0));
    await p.waitFor('max_over_time(chorus_queue_depth[10m])', one(3));
    await p.waitFor('chorus_jobs{state="running"}', one(0));
    const bytes = await p.waitFor(
      'chorus_prediction_bytes_received_total',
      (s) => Number(s[0]?.value[1]) > 0,
    );
    assert.equal(bytes[0]?.metric.job, 'chorus-coordinator');
    const soft = await p.waitFor(`chorus_accuracy{role="ensemble",name="soft"}`, (s) => s.length === 1);
    assert.equal(soft[0]?.metric.job_id, jobId);
    const accuracy = Number(soft[0]?.value[1]);
    assert.ok(accuracy > 0.33 && accuracy <= 1, `soft-vote accuracy ${accuracy}`);

    // Every step of the successful attempts reached the worker's metrics, the last ones included.
    await workerProm.waitFor(
      'chorus_worker_samples_trained_total{kind="train"}',
      one(2 * EPOCHS * TRAIN_ROWS),
    );
    await workerProm.waitFor(
      'chorus_worker_samples_trained_total{kind="distill"}',
      one(2 * EPOCHS * TRAIN_ROWS),
    );
    await workerProm.waitFor('chorus_worker_step_duration_seconds_count{kind="train"}', one(2 * STEPS));
    await workerProm.waitFor('chorus_worker_backend_info{backend="cpu",gpu="false"}', one(1));
    await workerProm.waitFor('chorus_worker_slots', one(1));
    await workerProm.waitFor('chorus_worker_busy_slots', one(0));
    // Finished tasks keep no loss series.
    assert.deepEqual(await workerProm.query('chorus_worker_training_loss'), []);
    // Default process metrics are there too.
    await workerProm.waitFor('process_resident_memory_bytes', (s) => s.length === 1);
  } finally {
    await workerProm.stop();
  }

  // Both /metrics pass promtool; both processes are live and ready.
  for (const target of [coordinatorMetrics, workerMetrics]) {
    const text = await (await fetch(`http://${target}/metrics`)).text();
    const { code, output } = await promtoolCheckMetrics(text);
    assert.equal(code, 0, `promtool check metrics ${target}:\n${output}`);
    for (const path of ['/healthz', '/readyz']) {
      const res = await fetch(`http://${target}${path}`);
      assert.equal(res.status, 200, `${target}${path}: ${await res.text()}`);
    }
  }

  // The NATS password reached neither process's output (nor submit's).
  for (const c of [coordinator, worker, submit]) {
    assert.ok(!c.output.includes(PASSWORD) && !c.output.includes(encodeURIComponent(PASSWORD)));
  }
  // The retry counted above is that injected failure.
  assert.match(worker.output, /train:m-1\b.* 1 failed: injected failure.*will retry/);
});
