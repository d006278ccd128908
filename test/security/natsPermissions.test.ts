import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  connectCoordinator,
  type CoordinatorConnection,
} from '../../cluster/client/coordinatorConnection.ts';
import type { JobStatus } from '../../cluster/api/apiTypes.ts';
import { connectNats } from '../../cluster/nats/connectNats.ts';
import { natsNames } from '../../cluster/nats/natsNames.ts';
import { openResources } from '../../cluster/nats/openResources.ts';
import { workerInboxPrefix } from '../../cluster/nats/workerPermissions.ts';
import { NatsConnectError } from '../../cluster/errors.ts';
import { startNatsServer, type NatsServer } from '../support/natsServer.ts';
import { uniquePrefix } from '../nats/prefix.ts';
import { ChorusProcess } from '../support/chorusProcess.ts';
import {
  authorizationConfig,
  leakedSecrets,
  makeNatsUsers,
  type NatsTestUsers,
} from './fixtures/natsUsers.ts';

/**
 * Two NATS users, as docs/security.md sets them up: `chorus coordinator` logs in as the unrestricted
 * `coordinator` (--nats-user, --nats-password-file), `chorus worker` as `worker` (CHORUS_NATS_USER and
 * CHORUS_NATS_PASSWORD, as the Kubernetes manifests give them), whose permissions are
 * `workerPermissions(prefix)`. The job runs to the end; the worker's credentials cannot change the
 * streams, publish tasks or write job state; nothing either process prints holds a secret.
 */

const JOB = `
name: nats-perms
data:
  train: { format: synthetic, count: 150, features: 6, classes: 3, seed: 1, sampleSeed: 1 }
  test: { format: synthetic, count: 60, features: 6, classes: 3, seed: 1, sampleSeed: 2 }
members:
  - { name: m, replicas: 2, layers: [{ type: dense, units: 8, activation: relu }], train: { epochs: 1, batchSize: 32 } }
runtime: { slots: 1, backend: cpu }
`;

const prefix = uniquePrefix();
const names = natsNames(prefix);
let dir = '';
let users: NatsTestUsers;
let nats: NatsServer;
let coordinator: ChorusProcess;
let worker: ChorusProcess;
let api: CoordinatorConnection;
const connections: NatsConnection[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chorus-nats-perms-'));
  users = await makeNatsUsers(dir);
  nats = await startNatsServer({ config: authorizationConfig(users, prefix) });
  const common = ['--nats', nats.url, '--nats-prefix', prefix, '--metrics-port', '0'];
  coordinator = new ChorusProcess(
    'coordinator',
    [
      'coordinator',
      ...common,
      ...['--grpc', '127.0.0.1:0', '--cache', join(dir, 'coordinator-cache')],
      ...['--nats-user', users.coordinator.user, '--nats-password-file', users.coordinator.passwordFile],
    ],
    { cleanEnv: true },
  );
  const ready = await coordinator.waitForOutput(/coordinator ready: gRPC 127\.0\.0\.1:(\d+)/, 60_000);
  const address = `127.0.0.1:${ready[1]}`;
  worker = new ChorusProcess(
    'worker',
    ['worker', ...common, '--coordinator', address, '--slots', '1', '--cache', join(dir, 'worker-cache')],
    {
      cleanEnv: true,
      env: { CHORUS_NATS_USER: users.worker.user, CHORUS_NATS_PASSWORD: users.worker.password },
    },
  );
  await worker.waitForOutput(/worker \S+ ready/, 60_000);
  api = connectCoordinator(address, { deadlineMs: 15_000 });
});

after(async () => {
  api?.close();
  for (const nc of connections) await nc.close().catch(() => undefined);
  for (const p of [worker, coordinator]) p?.signal('SIGKILL');
  await Promise.all([worker?.exited, coordinator?.exited].map((e) => e?.catch(() => undefined)));
  await nats?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function login(who: 'coordinator' | 'worker'): Promise<NatsConnection> {
  const u = users[who];
  const nc = await connectNats(
    [nats.url],
    { user: u.user, passwordFile: u.passwordFile },
    {
      ...(who === 'worker' ? { inboxPrefix: workerInboxPrefix(prefix) } : {}),
    },
  );
  connections.push(nc);
  return nc;
}

const refused = async (what: string, attempt: Promise<unknown>) =>
  assert.rejects(attempt, /Permissions Violation for Publish/, `${what} must be refused to the worker user`);

test('the processes say how they log in to NATS, without the secret', () => {
  assert.match(
    coordinator.stderr,
    new RegExp(`NATS: user "coordinator" with a password from ${users.coordinator.passwordFile}`),
  );
  assert.match(worker.stderr, /NATS: user "worker" with a password, /);
});

test('a job runs to the end with the workers logged in as the restricted worker user', async () => {
  const { jobId } = await api.submitJob(JOB, 'nats-perms.yaml', [], { fresh: true });
  let status: JobStatus | undefined;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    status = await api.getJob(jobId);
    if (status.state !== 'running' && status.state !== 'queued') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const logs = `\n--- coordinator:\n${coordinator.stderr}\n--- worker:\n${worker.stderr}\n--- nats:\n${nats.log()}`;
  assert.equal(status?.state, 'done', `job ${JSON.stringify(status)}${logs}`);
  assert.ok(status.tasks.every((t) => t.state === 'done'));
  assert.ok(
    status.tasks.some((t) => t.type === 'train'),
    'the worker trained the members (its threads wrote models to the Object Store)',
  );
  // Everything the worker and its threads did was allowed: the server refused nothing yet.
  assert.doesNotMatch(nats.log(), /Violation/, logs);
  assert.doesNotMatch(worker.stderr, /Permissions Violation|failed/, logs);
});

test("the worker user's credentials can look the resources up, but not create or delete a stream, publish a task or write job state", async () => {
  const nc = await login('worker');
  const resources = await openResources(nc, { prefix });
  assert.equal(resources.names.taskStream, names.taskStream);
  assert.deepEqual(resources.changes, []);
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const tasksBefore = (await jsm.streams.info(names.taskStream)).state.messages;

  await refused(
    'creating a stream',
    jsm.streams.add({ name: `${prefix.toUpperCase()}_EVIL`, subjects: [`${prefix}.evil.>`] }),
  );
  await refused('deleting a stream', jsm.streams.delete(names.taskStream));
  await refused('updating a stream', jsm.streams.update(names.taskStream, { max_msg_size: 2048 }));
  await refused('deleting the task consumer', jsm.consumers.delete(names.taskStream, names.taskConsumer));
  await refused('publishing a task', js.publish(names.taskSubject('forged'), '{"forged":true}'));
  await refused('writing the state KV', resources.state.put(names.jobKey('forged'), '{}'));

  // And it changed nothing.
  assert.equal((await jsm.streams.info(names.taskStream)).state.messages, tasksBefore);
  assert.equal(await resources.state.get(names.jobKey('forged')), null);
  assert.match(nats.log(), /Publish Violation - User "worker", Subject "\$JS\.API\.STREAM\.CREATE\./);
});

test('the coordinator user can do each of those', async () => {
  const nc = await login('coordinator');
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const name = `${prefix.toUpperCase()}_SCRATCH`;
  const created = await jsm.streams.add({
    name,
    subjects: [`${prefix}.scratch.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.Memory,
  });
  assert.equal(created.config.name, name);
  assert.equal(await jsm.streams.delete(name), true);
  const ack = await js.publish(names.taskSubject('scratch'), 'not a task');
  assert.equal(ack.stream, names.taskStream);
  const state = await new Kvm(js).open(names.stateBucket);
  await state.put(names.jobKey('scratch'), '{}');
  assert.equal((await state.get(names.jobKey('scratch')))?.string(), '{}');
});

test('the nkey worker identity has the same limits', async () => {
  const nc = await connectNats(
    [nats.url],
    { nkeySeedFile: users.workerNkey.seedFile },
    {
      inboxPrefix: workerInboxPrefix(prefix),
    },
  );
  connections.push(nc);
  const resources = await openResources(nc, { prefix });
  const objects = await resources.artifacts.list();
  assert.ok(objects.length > 0, 'it reads the artifacts the job wrote');
  await refused('publishing a task', jetstream(nc).publish(names.taskSubject('forged'), '{}'));
});

test('a wrong password is refused with a clear error that does not quote it', async () => {
  const err = await connectNats([nats.url], { user: 'worker', password: 'not-the-password' }).then(
    (nc) => {
      connections.push(nc);
      return undefined;
    },
    (e: unknown) => e,
  );
  assert.ok(err instanceof NatsConnectError, String(err));
  assert.match(err.message, /refused these credentials/);
  assert.ok(!err.message.includes('not-the-password'));
});

test('no NATS password or nkey seed appears in anything the processes printed', async () => {
  coordinator.signal('SIGTERM');
  worker.signal('SIGTERM');
  await Promise.all([coordinator.exited, worker.exited]);
  assert.match(worker.stderr, /stopped/, 'the worker drained and stopped');
  for (const [who, p] of [
    ['coordinator', coordinator],
    ['worker', worker],
  ] as const) {
    assert.ok(p.output.length > 200, `${who} printed its log`);
    assert.deepEqual(leakedSecrets(users, p.output), [], `secrets in the output of the ${who}`);
  }
});
