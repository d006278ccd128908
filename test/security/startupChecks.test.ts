import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { generateToken, hashToken, tokenEntryLine } from '../../cluster/grpc/authTokens.ts';
import { startNatsServer, type NatsServer } from '../support/natsServer.ts';
import { uniquePrefix } from '../nats/prefix.ts';
import { ChorusProcess } from '../support/chorusProcess.ts';
import { makeNatsUsers, natsAccountsFor, type NatsTestUsers } from './fixtures/natsUsers.ts';

/**
 * Start-up checks with real processes (docs/security.md, "Start-up checks"): a worker whose gRPC
 * token may not stream logits, or whose NATS login cannot do a worker's work, stops before it says
 * ready, with the missing right named, instead of training and failing at the upload; a coordinator
 * given a worker's NATS login stops with a message instead of a stack trace. The right credentials
 * start as before.
 */

const clientToken = generateToken();
const workerToken = generateToken();
const prefix = uniquePrefix();
let dir = '';
let users: NatsTestUsers;
let nats: NatsServer;
let coordinator: ChorusProcess;
let address = '';
const started: ChorusProcess[] = [];

const natsLogin = (u: { user: string; password: string }) => ({
  CHORUS_NATS_USER: u.user,
  CHORUS_NATS_PASSWORD: u.password,
});

function startWorker(name: string, env: Record<string, string>, extra: string[] = []): ChorusProcess {
  const worker = new ChorusProcess(
    name,
    [
      'worker',
      ...['--nats', nats.url, '--nats-prefix', prefix, '--metrics-port', '0', '--slots', '1'],
      ...['--coordinator', address, '--cache', join(dir, `${name}-cache`), ...extra],
    ],
    { cleanEnv: true, env },
  );
  started.push(worker);
  return worker;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chorus-startup-checks-'));
  users = await makeNatsUsers(dir);
  nats = await startNatsServer({ config: natsAccountsFor(users, prefix) });
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
  coordinator = new ChorusProcess(
    'coordinator',
    [
      'coordinator',
      ...['--nats', nats.url, '--nats-prefix', prefix, '--metrics-port', '0', '--grpc', '127.0.0.1:0'],
      ...['--cache', join(dir, 'coordinator-cache'), '--auth-tokens', tokensFile],
    ],
    { cleanEnv: true, env: natsLogin(users.coordinator) },
  );
  started.push(coordinator);
  const ready = await coordinator.waitForLine(/coordinator ready: gRPC 127\.0\.0\.1:(\d+)/, 90_000);
  address = `127.0.0.1:${ready[1]}`;
});

after(async () => {
  for (const p of started) p.signal('SIGKILL');
  await Promise.all(started.map((p) => p.exited.catch(() => undefined)));
  await nats?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('a worker with a client token stops at start, naming PutLogits and the role it needs', async () => {
  const worker = startWorker('client-token', { ...natsLogin(users.worker), CHORUS_TOKEN: clientToken });
  const exit = await worker.waitForExit(120_000);
  assert.equal(exit.code, 1, worker.log());
  assert.doesNotMatch(worker.stderr, /ready/, 'it never says ready');
  assert.match(worker.stderr, /cannot stream results to the coordinator \(PutLogits\)/);
  assert.match(
    worker.stderr,
    /token "alice" has role client, which may not call PutLogits \(PERMISSION_DENIED\)/,
  );
  assert.match(worker.stderr, /needs a token of role worker \(`chorus token create --role worker`\)/);
  assert.doesNotMatch(worker.stderr, /\n\s+at /, 'no stack trace');
  assert.ok(!worker.output.includes(clientToken), 'the token is not printed');
});

test('a worker without a token stops at start (UNAUTHENTICATED)', async () => {
  const worker = startWorker('no-token', natsLogin(users.worker));
  const exit = await worker.waitForExit(120_000);
  assert.equal(exit.code, 1, worker.log());
  assert.match(worker.stderr, /PutLogits.*UNAUTHENTICATED/);
});

test("a worker whose NATS login has another worker name's permissions stops at start, naming --worker-name", async () => {
  // worker-b's login may write only worker-b's heartbeats; this worker calls itself "worker".
  const worker = startWorker('wrong-name', { ...natsLogin(users.workerB), CHORUS_TOKEN: workerToken });
  const exit = await worker.waitForExit(120_000);
  assert.equal(exit.code, 1, worker.log());
  assert.doesNotMatch(worker.stderr, /ready/);
  assert.match(worker.stderr, /this NATS login may not receive replies on the inbox of worker name "worker"/);
  assert.match(worker.stderr, /Start the worker with the --worker-name its user's permissions name/);
  assert.match(worker.stderr, /chorus nats-permissions --nats-prefix \S+ --worker-name worker/);
  assert.doesNotMatch(worker.stderr, /\n\s+at /, 'no stack trace');
});

test('the same worker with its own login and a worker token starts', async () => {
  const worker = startWorker('right', { ...natsLogin(users.worker), CHORUS_TOKEN: workerToken });
  await worker.waitForLine(/worker worker\/\S+ ready/, 120_000);
  worker.signal('SIGTERM');
  // Sent as soon as it says ready: its handler is in place from its start, so this is a clean stop.
  const exit = await worker.waitForExit(60_000);
  assert.equal(exit.code, 0, `${JSON.stringify(exit)}\n${worker.log()}`);
  assert.match(worker.stderr, /SIGTERM: shutting down[\s\S]*stopped/);
});

test("a coordinator given a worker's NATS login stops with the missing right named, not a stack trace", async () => {
  const wrong = new ChorusProcess(
    'coordinator-as-worker',
    [
      'coordinator',
      ...['--nats', nats.url, '--nats-prefix', prefix, '--metrics-port', '0', '--grpc', '127.0.0.1:0'],
      ...['--cache', join(dir, 'wrong-cache')],
    ],
    { cleanEnv: true, env: natsLogin(users.worker) },
  );
  started.push(wrong);
  const exit = await wrong.waitForExit(120_000);
  assert.equal(exit.code, 1, wrong.log());
  assert.match(wrong.stderr, /this NATS login cannot (create or check Chorus's streams|publish tasks)/);
  assert.match(wrong.stderr, /needs the unrestricted user of the account that holds Chorus's streams/);
  assert.doesNotMatch(wrong.stderr, /unexpected error|\n\s+at /, 'no stack trace');
  assert.doesNotMatch(wrong.stderr, /coordinator ready/);
});

test('a worker started before its coordinator is reachable waits for it, then starts; a stop while waiting ends it', async () => {
  const port = await freePort();
  const early = startWorker('early', { ...natsLogin(users.worker), CHORUS_TOKEN: workerToken }, [
    '--coordinator',
    `127.0.0.1:${port}`,
  ]);
  await early.waitForLine(
    /waiting for the coordinator: cannot reach the coordinator at 127\.0\.0\.1:\d+/,
    120_000,
  );
  assert.ok(early.running, 'it waits rather than exits');
  const late = new ChorusProcess(
    'late-coordinator',
    [
      'coordinator',
      ...['--nats', nats.url, '--nats-prefix', prefix, '--metrics-port', '0', '--grpc', `127.0.0.1:${port}`],
      ...['--cache', join(dir, 'late-cache'), '--auth-tokens', join(dir, 'tokens.yaml')],
    ],
    { cleanEnv: true, env: natsLogin(users.coordinator) },
  );
  started.push(late);
  await early.waitForLine(/worker worker\/\S+ ready/, 120_000);
  late.signal('SIGTERM');
  early.signal('SIGTERM');
  assert.equal((await early.waitForExit(60_000)).code, 0, early.log());
  assert.equal((await late.waitForExit(60_000)).code, 0, late.log());

  const never = startWorker('never', { ...natsLogin(users.worker), CHORUS_TOKEN: workerToken }, [
    '--coordinator',
    `127.0.0.1:${port}`,
  ]);
  await never.waitForLine(/waiting for the coordinator/, 120_000);
  never.signal('SIGTERM');
  const exit = await never.waitForExit(30_000);
  assert.equal(exit.signal, null, 'it stopped by itself');
  assert.match(never.stderr, /stopped while waiting for the coordinator/);
});

/** A TCP port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
