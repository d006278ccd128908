import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { generateToken, hashToken, tokenEntryLine } from '../../cluster/grpc/authTokens.ts';
import { startNatsServer, type NatsServer } from '../support/natsServer.ts';
import { uniquePrefix } from '../nats/prefix.ts';
import { makeCertificates, type TestCertificates } from './fixtures/certificates.ts';
import { ChorusProcess, runChorus, type ChorusExit } from '../support/chorusProcess.ts';

/**
 * The real processes: nats-server, `chorus coordinator` with mutual TLS and a tokens file, one
 * `chorus worker` with a worker token, and `chorus` client commands with good and bad credentials.
 * Everything every process prints is kept, and no token may appear in any of it.
 */

const JOB = `
name: secure-e2e
data:
  train: { format: synthetic, count: 150, features: 6, classes: 3, seed: 1, sampleSeed: 1 }
  test: { format: synthetic, count: 60, features: 6, classes: 3, seed: 1, sampleSeed: 2 }
members:
  - { name: m, replicas: 2, layers: [{ type: dense, units: 8, activation: relu }], train: { epochs: 1, batchSize: 32 } }
runtime: { slots: 1, backend: cpu }
`;

const clientToken = generateToken();
const workerToken = generateToken();
const wrongToken = generateToken();
const SECRETS = { clientToken, workerToken, wrongToken };

let dir = '';
let certs: TestCertificates;
let nats: NatsServer;
let coordinator: ChorusProcess;
let worker: ChorusProcess;
let address = '';
const clientRuns: ChorusExit[] = [];

/** TLS flags of a client or worker: trust the test CA, present the client certificate. */
const clientTls = () => [
  '--tls-ca',
  certs.ca.cert,
  '--tls-cert',
  certs.client.cert,
  '--tls-key',
  certs.client.key,
];

async function client(args: string[], env: Record<string, string> = {}): Promise<ChorusExit> {
  const exit = await runChorus([...args, '--coordinator', address], {
    cleanEnv: true,
    env: env,
    timeoutMs: 90_000,
  });
  clientRuns.push(exit);
  return exit;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chorus-secure-e2e-'));
  certs = await makeCertificates(dir);
  const tokensFile = join(dir, 'tokens.yaml');
  await writeFile(
    tokensFile,
    [
      'tokens:',
      tokenEntryLine({ name: 'alice', role: 'client', sha256: hashToken(clientToken) }),
      tokenEntryLine({ name: 'workers', role: 'worker', sha256: hashToken(workerToken) }),
      '',
    ].join('\n'),
  );
  await writeFile(join(dir, 'client.token'), `${clientToken}\n`);
  await writeFile(join(dir, 'worker.token'), `${workerToken}\n`);
  await writeFile(join(dir, 'job.yaml'), JOB);
  nats = await startNatsServer();
  const prefix = uniquePrefix();
  const common = ['--nats', nats.url, '--nats-prefix', prefix, '--metrics-port', '0'];
  coordinator = new ChorusProcess(
    'coordinator',
    [
      'coordinator',
      ...common,
      '--grpc',
      '127.0.0.1:0',
      '--cache',
      join(dir, 'coordinator-cache'),
      '--tls-cert',
      certs.server.cert,
      '--tls-key',
      certs.server.key,
      '--tls-client-ca',
      certs.ca.cert,
      '--auth-tokens',
      tokensFile,
    ],
    { cleanEnv: true },
  );
  const ready = await coordinator.waitForOutput(/coordinator ready: gRPC 127\.0\.0\.1:(\d+)/, 30_000);
  address = `127.0.0.1:${ready[1]}`;
  worker = new ChorusProcess(
    'worker',
    [
      'worker',
      ...common,
      '--coordinator',
      address,
      '--slots',
      '1',
      '--cache',
      join(dir, 'worker-cache'),
      ...clientTls(),
      '--token-file',
      join(dir, 'worker.token'),
    ],
    { cleanEnv: true },
  );
  await worker.waitForOutput(/worker \S+ ready/, 30_000);
});

after(async () => {
  for (const p of [worker, coordinator]) p?.signal('SIGKILL');
  await Promise.all([worker?.exited, coordinator?.exited].map((e) => e?.catch(() => undefined)));
  await nats?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('the coordinator logs what protects it: TLS, mutual TLS, tokens', () => {
  assert.match(coordinator.stderr, /gRPC TLS on: CN=server/);
  assert.match(coordinator.stderr, /gRPC mutual TLS on/);
  assert.match(coordinator.stderr, /gRPC authentication on: 2 token\(s\)/);
  assert.doesNotMatch(coordinator.stderr, /authentication is disabled/);
});

test('bad credentials are refused with clear messages', async () => {
  // Independent runs, started together.
  const [none, wrong, asWorker, noClientCert, plaintext, missingFile] = await Promise.all([
    client(['jobs', ...clientTls()]),
    client(['jobs', ...clientTls()], { CHORUS_TOKEN: wrongToken }),
    client(['cancel', 'some-job', ...clientTls(), '--token-file', join(dir, 'worker.token')]),
    client(['jobs', '--tls-ca', certs.ca.cert], { CHORUS_TOKEN: clientToken }),
    client(['jobs'], { CHORUS_TOKEN: clientToken }),
    client(['jobs', ...clientTls(), '--token-file', join(dir, 'nope.token')]),
  ]);
  assert.equal(none.code, 1, none.stderr);
  assert.match(none.stderr, /refused the call: missing credentials.*\(UNAUTHENTICATED\)/);

  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /refused the call: invalid token \(UNAUTHENTICATED\)/);

  assert.equal(asWorker.code, 1);
  assert.match(
    asWorker.stderr,
    /token "workers" has role worker, which may not call CancelJob \(PERMISSION_DENIED\)/,
  );

  assert.equal(noClientCert.code, 1);
  assert.match(noClientCert.stderr, /requires a client certificate/);

  assert.equal(plaintext.code, 1);
  assert.match(plaintext.stderr, /cannot reach the coordinator/);

  assert.equal(missingFile.code, 2, 'a missing token file is bad input');
  assert.match(missingFile.stderr, /cannot read the token file .*nope\.token: no such file/);
});

test('a client token submits a job that the worker (worker token, mutual TLS) runs to the end', async () => {
  const submit = await client(['submit', join(dir, 'job.yaml'), '--wait', ...clientTls()], {
    CHORUS_TOKEN_FILE: join(dir, 'client.token'),
  });
  assert.equal(
    submit.code,
    0,
    `${submit.stderr}\n--- coordinator:\n${coordinator.stderr}\n--- worker:\n${worker.stderr}`,
  );
  assert.match(submit.stdout, /m-0\s+member/, 'the report table lists the members');
  const jobId = /submitted job (\S+):/.exec(submit.stderr)?.[1];
  assert.ok(jobId, submit.stderr);
  // The predictions travelled from the worker's threads to the coordinator over PutLogits.
  assert.doesNotMatch(worker.stderr, /PERMISSION_DENIED|UNAUTHENTICATED|failed/);

  const status = await client(['status', jobId, '--json', ...clientTls()], { CHORUS_TOKEN: clientToken });
  assert.equal(status.code, 0, status.stderr);
  assert.equal((JSON.parse(status.stdout) as { state: string }).state, 'done');
  assert.match(coordinator.stderr, /refused ListJobs from .*invalid token/, 'refusals are logged');
});

test('no token appears in anything any process printed', async () => {
  coordinator.signal('SIGTERM');
  worker.signal('SIGTERM');
  await Promise.all([coordinator.exited, worker.exited]);
  const outputs = [
    ['coordinator', coordinator.output],
    ['worker', worker.output],
    ...clientRuns.map((r, i) => [`client run ${i}`, r.stdout + r.stderr]),
  ] as const;
  assert.ok(clientRuns.length >= 7);
  for (const [who, text] of outputs) {
    for (const [name, secret] of Object.entries(SECRETS)) {
      assert.ok(!text.includes(secret), `${name} appears in the output of ${who}`);
      // Not even a telling part of it.
      assert.ok(!text.includes(secret.slice(7, 27)), `part of ${name} appears in the output of ${who}`);
    }
  }
});
