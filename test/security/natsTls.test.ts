import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  connectCoordinator,
  type CoordinatorConnection,
} from '../../cluster/client/coordinatorConnection.ts';
import type { JobStatus } from '../../cluster/api/apiTypes.ts';
import { connectNats } from '../../cluster/nats/connectNats.ts';
import { NatsConnectError } from '../../cluster/errors.ts';
import { startNatsServer, type NatsServer } from '../support/natsServer.ts';
import { uniquePrefix } from '../nats/prefix.ts';
import { makeCertificates, type TestCertificates } from './fixtures/certificates.ts';
import { ChorusProcess, runChorus, type ChorusExit } from '../support/chorusProcess.ts';
import { natsAccountsFor, leakedSecrets, makeNatsUsers, type NatsTestUsers } from './fixtures/natsUsers.ts';

/**
 * NATS over TLS with client certificates (`verify: true`), certificates made by openssl: the
 * coordinator (user and password file, TLS flags) and a worker (nkey seed file, TLS from the
 * environment; its pool threads connect the same way) run a job to the end. A client that does not
 * trust the server's CA is stopped with a message that says which setting to fix.
 */

const JOB = `
name: nats-tls
data:
  train: { format: synthetic, count: 120, features: 5, classes: 3, seed: 2, sampleSeed: 1 }
  test: { format: synthetic, count: 60, features: 5, classes: 3, seed: 2, sampleSeed: 2 }
members:
  - { name: m, replicas: 2, layers: [{ type: dense, units: 8, activation: relu }], train: { epochs: 1, batchSize: 32 } }
runtime: { slots: 1, backend: cpu }
`;

const prefix = uniquePrefix();
let dir = '';
let certs: TestCertificates;
let users: NatsTestUsers;
let nats: NatsServer;
let coordinator: ChorusProcess;
let worker: ChorusProcess;
let api: CoordinatorConnection;
let untrusting: Promise<ChorusExit>;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chorus-nats-tls-'));
  [certs, users] = await Promise.all([makeCertificates(dir), makeNatsUsers(dir)]);
  nats = await startNatsServer({
    config: [
      ...natsAccountsFor(users, prefix),
      'tls {',
      `  cert_file: ${JSON.stringify(certs.server.cert)}`,
      `  key_file: ${JSON.stringify(certs.server.key)}`,
      `  ca_file: ${JSON.stringify(certs.ca.cert)}`,
      '  verify: true',
      '}',
    ],
  });
  const common = ['--nats', nats.url, '--nats-prefix', prefix, '--metrics-port', '0'];
  // A worker that lacks only the CA; it must fail at once, so it runs while the others start.
  untrusting = runChorus(
    [
      'worker',
      ...common,
      ...['--nats-user', users.worker.user, '--nats-password-file', users.worker.passwordFile],
      ...['--nats-tls-cert', certs.client.cert, '--nats-tls-key', certs.client.key],
      ...['--coordinator', '127.0.0.1:1', '--cache', join(dir, 'untrusting-cache')],
    ],
    { cleanEnv: true, timeoutMs: 60_000 },
  );
  coordinator = new ChorusProcess(
    'coordinator',
    [
      'coordinator',
      ...common,
      ...['--grpc', '127.0.0.1:0', '--cache', join(dir, 'coordinator-cache')],
      ...['--nats-user', users.coordinator.user, '--nats-password-file', users.coordinator.passwordFile],
      ...[
        '--nats-tls-ca',
        certs.ca.cert,
        '--nats-tls-cert',
        certs.client.cert,
        '--nats-tls-key',
        certs.client.key,
      ],
    ],
    { cleanEnv: true },
  );
  const ready = await coordinator.waitForOutput(/coordinator ready: gRPC 127\.0\.0\.1:(\d+)/, 60_000);
  const address = `127.0.0.1:${ready[1]}`;
  worker = new ChorusProcess(
    'worker',
    [
      'worker',
      ...common,
      ...['--nats-nkey-file', users.workerNkey.seedFile],
      ...['--coordinator', address, '--slots', '1', '--cache', join(dir, 'worker-cache')],
    ],
    {
      cleanEnv: true,
      env: {
        CHORUS_NATS_TLS_CA: certs.ca.cert,
        CHORUS_NATS_TLS_CERT: certs.client.cert,
        CHORUS_NATS_TLS_KEY: certs.client.key,
      },
    },
  );
  await worker.waitForOutput(/worker \S+ ready/, 60_000);
  api = connectCoordinator(address, { deadlineMs: 15_000 });
});

after(async () => {
  api?.close();
  for (const p of [worker, coordinator]) p?.signal('SIGKILL');
  await Promise.all([worker?.exited, coordinator?.exited, untrusting].map((e) => e?.catch(() => undefined)));
  await nats?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('coordinator and worker connect over TLS with client certificates, and the job completes', async () => {
  assert.match(
    coordinator.stderr,
    /NATS: user "coordinator" .*, TLS trusting .*chorus-test-ca\.crt, client certificate/,
  );
  assert.match(worker.stderr, /NATS: the nkey seed in .*worker\.nk, TLS trusting .*chorus-test-ca\.crt/);
  const { jobId } = await api.submitJob(JOB, 'nats-tls.yaml', [], { fresh: true });
  let status: JobStatus | undefined;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    status = await api.getJob(jobId);
    if (status.state !== 'running' && status.state !== 'queued') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(
    status?.state,
    'done',
    `${JSON.stringify(status)}\n--- coordinator:\n${coordinator.stderr}\n--- worker:\n${worker.stderr}\n--- nats:\n${nats.log()}`,
  );
  assert.ok(status.tasks.every((t) => t.state === 'done'));
  // (The server does log one TLS handshake error: the untrusting worker hanging up on its certificate.)
  assert.doesNotMatch(nats.log(), /Violation/);
});

test('a client that does not trust the CA is stopped with a clear error', async () => {
  const exit = await untrusting;
  assert.equal(exit.code, 1, exit.stderr);
  assert.match(
    exit.stderr,
    new RegExp(
      `chorus: cannot connect to NATS at nats://127\\.0\\.0\\.1:${nats.port}: .*certificate.*` +
        "\\(the NATS server's certificate is not trusted: --nats-tls-ca \\(CHORUS_NATS_TLS_CA\\) must name the CA",
    ),
  );
  assert.doesNotMatch(exit.stderr, /unexpected error|\n\s+at /, 'no stack trace');
  assert.deepEqual(leakedSecrets(users, exit.stdout + exit.stderr), []);
});

test('a client without a certificate, or with one from another CA, is told to give one', async () => {
  for (const client of [undefined, certs.otherClient]) {
    const err = await connectNats(
      [nats.url],
      {
        user: users.worker.user,
        passwordFile: users.worker.passwordFile,
        tls: {
          caFile: certs.ca.cert,
          ...(client ? { certFile: client.cert, keyFile: client.key } : {}),
        },
      },
      { timeout: 2000 },
    ).then(
      async (nc) => {
        await nc.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    assert.ok(
      err instanceof NatsConnectError,
      `connected without a trusted client certificate: ${String(err)}`,
    );
    assert.match(err.message, /give --nats-tls-cert and --nats-tls-key signed by a CA it trusts/);
  }
});

test('no NATS password or nkey seed appears in anything the processes printed', async () => {
  coordinator.signal('SIGTERM');
  worker.signal('SIGTERM');
  await Promise.all([coordinator.exited, worker.exited]);
  for (const [who, p] of [
    ['coordinator', coordinator],
    ['worker', worker],
  ] as const) {
    assert.ok(p.output.length > 200, `${who} printed its log`);
    assert.deepEqual(leakedSecrets(users, p.output), [], `secrets in the output of the ${who}`);
  }
});
