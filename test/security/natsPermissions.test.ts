import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { ObjectBucket } from '../../cluster/artifacts/objectBucket.ts';
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
import { leakedSecrets, makeNatsUsers, natsAccountsFor, type NatsTestUsers } from './fixtures/natsUsers.ts';

/**
 * The NATS side of docs/security.md, with real processes: nats-server with the accounts `chorus
 * nats-permissions` prints, `chorus coordinator` logged in as the Chorus account's `coordinator`
 * (--nats-user, --nats-password-file), `chorus worker` as the workers' account's `worker`
 * (CHORUS_NATS_USER and CHORUS_NATS_PASSWORD, as the Kubernetes manifests give them). The job runs to
 * the end; then every JetStream API call, KV and Object Store operation, subscription and reply trick
 * is tried with the worker's login, and exactly the ones a worker needs succeed: nothing it can do
 * removes a stream's messages, writes job state or another worker's heartbeat. Nothing either process
 * prints holds a secret.
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
const OBJ = `OBJ_${names.artifactsBucket}`;
const STATE = `KV_${names.stateBucket}`;
const WORKERS = `KV_${names.workersBucket}`;
let dir = '';
let users: NatsTestUsers;
let nats: NatsServer;
let coordinator: ChorusProcess;
let worker: ChorusProcess;
let api: CoordinatorConnection;
let jobId = '';
const connections: NatsConnection[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chorus-nats-perms-'));
  users = await makeNatsUsers(dir);
  nats = await startNatsServer({ config: natsAccountsFor(users, prefix) });
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
  const ready = await coordinator.waitForLine(/coordinator ready: gRPC 127\.0\.0\.1:(\d+)/, 60_000);
  const address = `127.0.0.1:${ready[1]}`;
  worker = new ChorusProcess(
    'worker',
    ['worker', ...common, '--coordinator', address, '--slots', '1', '--cache', join(dir, 'worker-cache')],
    {
      cleanEnv: true,
      env: { CHORUS_NATS_USER: users.worker.user, CHORUS_NATS_PASSWORD: users.worker.password },
    },
  );
  await worker.waitForLine(/worker \S+ ready/, 60_000);
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

async function login(who: 'coordinator' | 'worker' | 'workerB'): Promise<NatsConnection> {
  const u = users[who];
  const name = who === 'workerB' ? 'worker-b' : 'worker';
  const nc = await connectNats(
    [nats.url],
    { user: u.user, passwordFile: u.passwordFile },
    who === 'coordinator' ? {} : { inboxPrefix: workerInboxPrefix(prefix, name) },
  );
  connections.push(nc);
  return nc;
}

type Outcome = 'answered' | 'refused';

/** One raw request: refused (permissions, not imported) or answered (whatever the answer). */
async function outcomeOf(nc: NatsConnection, subject: string, payload: unknown): Promise<Outcome> {
  try {
    const reply = await nc.request(subject, payload === undefined ? '' : JSON.stringify(payload), {
      timeout: 5000,
    });
    // The server answers for an account without JetStream: the subject is not imported.
    return /"err_code":10039/.test(reply.string()) ? 'refused' : 'answered';
  } catch (err) {
    if (/Permissions Violation|no responders|503/i.test(String(err))) return 'refused';
    throw new Error(`${subject}: ${String(err)}`, { cause: err });
  }
}

/** Waits for a subscription to be refused by the server (a permissions error) or to stand. */
async function subscribeOutcome(nc: NatsConnection, subject: string): Promise<Outcome> {
  const sub = nc.subscribe(subject);
  const refused = sub.closed.then((err) => (err instanceof Error ? 'refused' : 'answered'));
  await nc.flush();
  const outcome = await Promise.race([
    refused,
    new Promise<Outcome>((r) => setTimeout(() => r('answered'), 1500)),
  ]);
  sub.unsubscribe();
  return outcome;
}

test('the processes say how they log in to NATS, without the secret', () => {
  assert.match(
    coordinator.stderr,
    new RegExp(`NATS: user "coordinator" with a password from ${users.coordinator.passwordFile}`),
  );
  assert.match(worker.stderr, /NATS: user "worker" with a password, /);
});

test('a job runs to the end with the workers logged in as the restricted worker user', async () => {
  ({ jobId } = await api.submitJob(JOB, 'nats-perms.yaml', [], { fresh: true }));
  let status: JobStatus | undefined;
  const deadline = Date.now() + 120_000;
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
  // It is listed under the worker name its login may write (worker), and its instance.
  const listed = (await api.listWorkers()).map((w) => w.workerId);
  assert.deepEqual(listed, [`worker/${hostname()}-${worker.pid}`]);
});

test('of every JetStream API call, the worker login may make exactly the look-ups, pulls and reads it needs', async () => {
  const nc = await login('worker');
  const admin = await jetstreamManager(await login('coordinator'));
  const streams = [names.taskStream, names.resultStream, names.advisoryStream, STATE, WORKERS, OBJ];
  const consumers: [string, string][] = [
    [names.taskStream, names.taskConsumer],
    [names.resultStream, names.resultConsumer],
    [names.advisoryStream, names.advisoryConsumer],
  ];
  const counts = async () =>
    Promise.all(streams.map(async (s) => (await admin.streams.info(s)).state.messages));
  const before = await counts();
  const inbox = `${workerInboxPrefix(prefix)}.probe`;
  const calls: [string, unknown][] = [
    ['$JS.API.INFO', undefined],
    [
      `$JS.API.STREAM.CREATE.${prefix.toUpperCase()}_EVIL`,
      { name: `${prefix.toUpperCase()}_EVIL`, subjects: [`${prefix}.evil.>`] },
    ],
    ['$JS.API.STREAM.NAMES', {}],
    ['$JS.API.STREAM.LIST', {}],
    [`$JS.API.ACCOUNT.PURGE.CHORUS`, {}],
    ['$JS.API.SERVER.REMOVE', {}],
    ['$JS.API.META.LEADER.STEPDOWN', {}],
  ];
  for (const s of streams) {
    const config = (await admin.streams.info(s)).config;
    calls.push(
      [`$JS.API.STREAM.INFO.${s}`, {}],
      [`$JS.API.STREAM.UPDATE.${s}`, { ...config, max_msgs: 1 }],
      [`$JS.API.STREAM.DELETE.${s}`, undefined],
      [`$JS.API.STREAM.PURGE.${s}`, {}],
      [`$JS.API.STREAM.MSG.GET.${s}`, { seq: 1 }],
      [`$JS.API.STREAM.MSG.DELETE.${s}`, { seq: 1, no_erase: true }],
      [`$JS.API.STREAM.SNAPSHOT.${s}`, { deliver_subject: inbox }],
      [`$JS.API.STREAM.RESTORE.${s}`, { config, state: {} }],
      [`$JS.API.STREAM.LEADER.STEPDOWN.${s}`, undefined],
      [`$JS.API.STREAM.PEER.REMOVE.${s}`, { peer: 'x' }],
      [`$JS.API.DIRECT.GET.${s}`, { seq: 1 }],
      // A push consumer delivering this stream into the task subject: would publish tasks.
      [
        `$JS.API.CONSUMER.CREATE.${s}`,
        { stream_name: s, config: { deliver_subject: names.taskSubject('injected') } },
      ],
      [
        `$JS.API.CONSUMER.CREATE.${s}.evil`,
        { stream_name: s, config: { name: 'evil', ack_policy: 'explicit' } },
      ],
      [
        `$JS.API.CONSUMER.DURABLE.CREATE.${s}.evil`,
        { stream_name: s, config: { durable_name: 'evil', ack_policy: 'explicit' } },
      ],
      [`$JS.API.CONSUMER.NAMES.${s}`, {}],
      [`$JS.API.CONSUMER.LIST.${s}`, {}],
    );
  }
  calls.push([`$JS.API.DIRECT.GET.${OBJ}.$O.${names.artifactsBucket}.M.x`, undefined]);
  for (const [s, c] of consumers) {
    calls.push(
      [`$JS.API.CONSUMER.INFO.${s}.${c}`, undefined],
      [`$JS.API.CONSUMER.DELETE.${s}.${c}`, undefined],
      [`$JS.API.CONSUMER.MSG.NEXT.${s}.${c}`, { batch: 1, no_wait: true }],
      [`$JS.API.CONSUMER.LEADER.STEPDOWN.${s}.${c}`, undefined],
      [
        `$JS.API.CONSUMER.CREATE.${s}.${c}`,
        { stream_name: s, config: { durable_name: c, ack_policy: 'none' } },
      ],
    );
  }
  const outcomes: Record<string, Outcome> = {};
  for (const [subject, payload] of calls) outcomes[subject] = await outcomeOf(nc, subject, payload);
  const answered = Object.keys(outcomes).filter((s) => outcomes[s] === 'answered');
  assert.deepEqual(
    answered.sort(),
    [
      '$JS.API.CONSUMER.INFO.' + `${names.taskStream}.${names.taskConsumer}`,
      '$JS.API.CONSUMER.MSG.NEXT.' + `${names.taskStream}.${names.taskConsumer}`,
      `$JS.API.DIRECT.GET.${OBJ}`,
      `$JS.API.DIRECT.GET.${OBJ}.$O.${names.artifactsBucket}.M.x`,
      '$JS.API.INFO',
      `$JS.API.STREAM.INFO.${names.taskStream}`,
      `$JS.API.STREAM.INFO.${names.resultStream}`,
      `$JS.API.STREAM.INFO.${STATE}`,
      `$JS.API.STREAM.INFO.${WORKERS}`,
      `$JS.API.STREAM.INFO.${OBJ}`,
      `$JS.API.STREAM.MSG.GET.${STATE}`,
      // Artifacts read through the leader of a replicated bucket (no direct gets there).
      `$JS.API.STREAM.MSG.GET.${OBJ}`,
    ].sort(),
  );
  assert.equal(calls.length - answered.length, Object.values(outcomes).filter((o) => o === 'refused').length);
  // Nothing changed: no stream lost or gained a message, no stream or consumer was added or removed.
  assert.deepEqual(await counts(), before);
  assert.deepEqual((await admin.streams.names().next()).sort(), [...streams].sort());
  for (const [s, c] of consumers) assert.equal((await admin.consumers.info(s, c)).name, c);
});

test('KV: the worker login reads job records and writes its own heartbeats, nothing else', async () => {
  const nc = await login('worker');
  const kvm = new Kvm(jetstream(nc));
  const state = await kvm.open(names.stateBucket);
  const workers = await kvm.open(names.workersBucket);
  const record = await state.get(names.jobKey(jobId));
  assert.equal(record?.json<{ status: string }>().status, 'done', 'it reads job records');
  const refused = (what: string, attempt: Promise<unknown>) =>
    assert.rejects(
      attempt,
      /Permissions Violation|rollup not permitted|not enabled/,
      `${what} must be refused`,
    );
  await refused('writing a job record', state.put(names.jobKey(jobId), '{}'));
  await refused('deleting a job record', state.delete(names.jobKey(jobId)));
  await refused('purging a job record', state.purge(names.jobKey(jobId)));
  await refused(
    'listing the state keys (a consumer)',
    (async () => {
      for await (const k of await state.keys()) void k;
    })(),
  );
  await refused('destroying the state bucket', state.destroy());
  // Its own name's heartbeats: written and removed; another name's: refused.
  const own = names.workerKey('worker', 'probe-1');
  await workers.put(own, '{}');
  await workers.delete(own);
  await refused(
    "writing another worker name's heartbeat",
    workers.put(names.workerKey('worker-b', 'fake'), '{}'),
  );
  await refused("deleting another worker name's heartbeat", workers.delete(names.workerKey('worker-b', 'x')));
  await refused('purging its own heartbeat (a rollup)', workers.purge(own));
  await refused(
    'listing the heartbeats (a consumer)',
    (async () => {
      for await (const k of await workers.keys()) void k;
    })(),
  );
  await refused('destroying the workers bucket', workers.destroy());
  assert.equal((await state.get(names.jobKey(jobId)))?.json<{ status: string }>().status, 'done');
});

test('each worker name writes only its own heartbeats: worker-b cannot pose as worker, nor the reverse', async () => {
  const b = await new Kvm(jetstream(await login('workerB'))).open(names.workersBucket);
  await b.put(names.workerKey('worker-b', 'host-9'), '{}');
  await assert.rejects(b.put(names.workerKey('worker', 'host-9'), '{}'), /Permissions Violation/);
  await b.delete(names.workerKey('worker-b', 'host-9'));
  // The listing's names come from the keys, which the server checked.
  assert.ok((await api.listWorkers()).every((w) => w.workerId.startsWith('worker/')));
});

test("Object Store: the worker login writes and reads objects, and cannot erase any, a finished job's included", async () => {
  const nc = await login('worker');
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const bucket = new ObjectBucket(nc, js, jsm, names.artifactsBucket);
  const adminNc = await login('coordinator');
  const admin = await jetstreamManager(adminNc);
  const adminBucket = new ObjectBucket(adminNc, jetstream(adminNc), admin, names.artifactsBucket);
  const objects = async () => (await admin.streams.info(OBJ)).state.messages;
  // What a worker does: write, read back, replace, delete (a marker).
  const mine = `${jobId}/scratch/probe.bin`;
  await bucket.put(mine, new Uint8Array(3000).fill(7), 1024);
  assert.deepEqual((await bucket.read(mine))?.bytes, new Uint8Array(3000).fill(7));
  const report = `${jobId}/report.json`;
  const original = (await bucket.read(report))?.bytes;
  assert.ok(original && original.length > 0, 'it reads the report the job wrote');
  const reportChunks = (await bucket.info(report))?.meta.nuid ?? '';

  const before = await objects();
  const refused = (what: string, attempt: Promise<unknown>) =>
    assert.rejects(
      attempt,
      /Permissions Violation|rollup not permitted|not enabled/,
      `${what} must be refused`,
    );
  const os = await new Objm(js).open(names.artifactsBucket);
  await refused(
    "nats.js's put (it sends a rollup header)",
    os.putBlob({ name: `${jobId}/x` }, new Uint8Array(0)),
  );
  await refused("nats.js's delete (a rollup, then a purge)", os.delete(report));
  await refused("nats.js's get (it creates a consumer)", os.getBlob(report));
  await refused("nats.js's list (a consumer)", os.list());
  await refused('sealing the bucket', os.seal());
  await refused('destroying the bucket', os.destroy());
  await refused('purging the bucket', jsm.streams.purge(OBJ));
  await refused(
    'purging one object',
    jsm.streams.purge(OBJ, { filter: adminBucket.chunkSubject(reportChunks) }),
  );
  for (const rollup of ['all', 'sub']) {
    const h = headers();
    h.set('Nats-Rollup', rollup);
    await refused(
      `a "${rollup}" rollup header`,
      js.publish(bucket.metaSubject(`${jobId}/evil`), '{}', { headers: h }),
    );
  }
  assert.equal(await objects(), before, 'no message was removed (the refused put left no metadata)');

  // What it can do to a finished job's artifact: mark it deleted. The coordinator, seeing a change made
  // after the job ended, purges nothing, so the bytes stay in the stream for an operator to restore.
  const chunkCount = async (nuid: string) =>
    (await admin.streams.info(OBJ, { subjects_filter: adminBucket.chunkSubject(nuid) })).state.subjects?.[
      adminBucket.chunkSubject(nuid)
    ] ?? 0;
  // A sentinel the coordinator does purge (an object of no job, replaced) after the marker: the
  // coordinator handles revisions in order, so once the sentinel's old chunks are gone it has
  // handled the marker too.
  const sentinel = await bucket.put('no-such-job/sentinel', new Uint8Array(10), 1024);
  assert.equal(await bucket.markDeleted(report), true);
  assert.equal(await bucket.read(report), null);
  await bucket.put('no-such-job/sentinel', new Uint8Array(10), 1024);
  const deadline = Date.now() + 60_000;
  while ((await chunkCount(sentinel.nuid)) > 0) {
    assert.ok(Date.now() < deadline, `the coordinator purged the replaced sentinel\n${coordinator.log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok((await chunkCount(reportChunks)) > 0, 'the bytes are still there');
  // Restored by republishing its earlier metadata (what docs/security.md tells an operator to do).
  const history = await admin.streams.getMessage(OBJ, {
    seq: 0,
    next_by_subj: adminBucket.metaSubject(report),
  } as never);
  assert.ok(history);
  await jetstream(adminNc).publish(adminBucket.metaSubject(report), history.data);
  assert.deepEqual((await adminBucket.read(report))?.bytes, original);
});

test("a reply subject cannot make the server write into Chorus's streams for the worker", async () => {
  const nc = await login('worker');
  const admin = await jetstreamManager(await login('coordinator'));
  const count = async (s: string) => (await admin.streams.info(s)).state.messages;
  const before = await Promise.all([STATE, names.taskStream, OBJ].map(count));
  // Within one account the server would deliver these replies (an API answer, a pulled task) to the
  // named subject, and the stream listening on it would store them: a forged job record.
  for (const reply of [
    `$KV.${names.stateBucket}.${names.jobKey('forged')}`,
    names.taskSubject('forged'),
    `$O.${names.artifactsBucket}.M.Zm9yZ2Vk`,
  ]) {
    nc.publish(
      `$JS.API.STREAM.MSG.GET.${STATE}`,
      JSON.stringify({ last_by_subj: `$KV.${names.stateBucket}.${names.jobKey(jobId)}` }),
      { reply },
    );
    nc.publish(`$JS.API.STREAM.INFO.${names.taskStream}`, '', { reply });
    nc.publish(
      `$JS.API.CONSUMER.MSG.NEXT.${names.taskStream}.${names.taskConsumer}`,
      '{"batch":1,"no_wait":true}',
      { reply },
    );
  }
  await nc.flush();
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual(await Promise.all([STATE, names.taskStream, OBJ].map(count)), before);
});

test('the worker login may subscribe to its own inbox and cancellations only', async () => {
  const nc = await login('worker');
  const outcomes: Record<string, Outcome> = {};
  for (const subject of [
    `${workerInboxPrefix(prefix)}.x`,
    names.cancelSubject('j'),
    `${workerInboxPrefix(prefix, 'worker-b')}.x`,
    '_INBOX.>',
    names.resultSubject('j'),
    names.taskSubject('j'),
    names.progressSubject('j'),
    `$KV.${names.stateBucket}.>`,
    '>',
  ]) {
    outcomes[subject] = await subscribeOutcome(nc, subject);
  }
  assert.deepEqual(
    Object.keys(outcomes).filter((s) => outcomes[s] === 'answered'),
    [`${workerInboxPrefix(prefix)}.x`, names.cancelSubject('j')],
  );
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
    { inboxPrefix: workerInboxPrefix(prefix) },
  );
  connections.push(nc);
  const resources = await openResources(nc, { prefix });
  assert.ok(
    (await resources.objects.info(`${jobId}/report.md`)) !== null,
    'it reads the artifacts the job wrote',
  );
  await assert.rejects(jetstream(nc).publish(names.taskSubject('forged'), '{}'), /Permissions Violation/);
  await assert.rejects(resources.jsm.streams.purge(OBJ), /Permissions Violation|not enabled/);
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
