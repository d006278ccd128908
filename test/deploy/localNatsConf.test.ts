import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { accountsConfig } from '../../cluster/nats/natsAccountsConfig.ts';
import { connectCoordinator } from '../../cluster/client/coordinatorConnection.ts';
import { ChorusProcess, REPO_ROOT } from '../support/chorusProcess.ts';
import { findNatsServer } from '../support/natsServer.ts';

/**
 * deploy/nats/nats.conf, the local example docs/security.md points to: it holds the accounts
 * `chorus nats-permissions` prints, nats-server starts from it (only its store folder and port
 * changed, for the test), and a coordinator and a worker logged in as its two users run a job.
 */

const JOB = `
name: local-nats-conf
data:
  train: { format: synthetic, count: 120, features: 5, classes: 3, seed: 1, sampleSeed: 1 }
  test: { format: synthetic, count: 60, features: 5, classes: 3, seed: 1, sampleSeed: 2 }
members:
  - { name: m, replicas: 2, layers: [{ type: dense, units: 8, activation: relu }], train: { epochs: 1, batchSize: 32 } }
runtime: { slots: 1, backend: cpu }
`;

test('the local nats.conf holds `chorus nats-permissions`, starts nats-server, and runs a job', async (t) => {
  const text = await readFile(join(REPO_ROOT, 'deploy/nats/nats.conf'), 'utf8');
  assert.ok(
    text.includes(`${accountsConfig()}\n`),
    'the accounts block is `chorus nats-permissions` as printed',
  );
  const variable = (name: string) => {
    const value = new RegExp(`^${name}: "([^"]+)"$`, 'm').exec(text)?.[1];
    assert.ok(value, `${name} is set in the file`);
    return value;
  };
  const dir = await mkdtemp(join(tmpdir(), 'chorus-local-nats-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const conf = join(dir, 'nats.conf');
  const rewritten = text
    .replace(/^listen: .*$/m, 'listen: "127.0.0.1:-1"')
    .replace(/store_dir: .*$/m, `store_dir: ${JSON.stringify(join(dir, 'store'))}`);
  assert.notEqual(rewritten, text);
  await writeFile(conf, rewritten);

  const server = spawn(findNatsServer(), ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  t.after(() => server.kill('SIGKILL'));
  let log = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server did not start:\n${log}`)), 20_000);
    server.stderr.setEncoding('utf8');
    server.stderr.on('data', (chunk: string) => {
      log += chunk;
      const m = /Listening for client connections on [^\s]*:(\d+)/.exec(log);
      if (m?.[1] && log.includes('Server is ready')) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    server.once('exit', (code) => reject(new Error(`nats-server exited (${code}):\n${log}`)));
  });
  const nats = `nats://127.0.0.1:${port}`;
  const common = ['--nats', nats, '--metrics-port', '0'];
  const coordinator = new ChorusProcess(
    'coordinator',
    ['coordinator', ...common, '--grpc', '127.0.0.1:0', '--cache', join(dir, 'coordinator-cache')],
    {
      cleanEnv: true,
      t,
      env: {
        CHORUS_NATS_USER: variable('NATS_COORDINATOR_USER'),
        CHORUS_NATS_PASSWORD: variable('NATS_COORDINATOR_PASSWORD'),
      },
    },
  );
  const ready = await coordinator.waitForLine(/coordinator ready: gRPC (127\.0\.0\.1:\d+)/, 90_000);
  const address = ready[1] ?? '';
  const worker = new ChorusProcess(
    'worker',
    ['worker', ...common, '--coordinator', address, '--slots', '1', '--cache', join(dir, 'worker-cache')],
    {
      cleanEnv: true,
      t,
      env: {
        CHORUS_NATS_USER: variable('NATS_WORKER_USER'),
        CHORUS_NATS_PASSWORD: variable('NATS_WORKER_PASSWORD'),
      },
    },
  );
  await worker.waitForLine(/worker worker\/\S+ ready/, 90_000);
  const api = connectCoordinator(address, { deadlineMs: 15_000 });
  t.after(() => api.close());
  const { jobId } = await api.submitJob(JOB, 'local.yaml', [], { fresh: true });
  const deadline = Date.now() + 120_000;
  let state = 'running';
  while (state === 'running' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    state = (await api.getJob(jobId)).state;
  }
  assert.equal(state, 'done', `${coordinator.log()}\n${worker.log()}\n${log}`);
  assert.doesNotMatch(log, /Violation/, 'the server refused nothing the two did');
});
