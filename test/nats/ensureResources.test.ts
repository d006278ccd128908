import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AckPolicy, RetentionPolicy, StorageType, jetstreamManager } from '@nats-io/jetstream';
import { connect, nanos } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { ensureResources } from '../../coordinator/nats/ensureResources.ts';
import { natsNames } from '../../cluster/nats/natsNames.ts';
import { NatsResourceError } from '../../cluster/errors.ts';
import { startNatsServer } from '../support/natsServer.ts';
import type { NatsServer } from '../support/natsServer.ts';
import { uniquePrefix } from './prefix.ts';

let srv: NatsServer;
let nc: NatsConnection;
before(async () => {
  srv = await startNatsServer();
  nc = await connect({ servers: srv.url });
});
after(async () => {
  await nc.close();
  await srv.stop();
});

test('creates every resource with the requested settings, and a second run changes nothing', async () => {
  const prefix = uniquePrefix();
  const n = natsNames(prefix);
  const opts = { prefix, ackWaitMs: 7000, maxDeliver: 4, maxAckPending: 50, maxMessageBytes: 8192 };
  const first = await ensureResources(nc, opts);
  assert.deepEqual(first.changes, [
    `created stream ${n.taskStream}`,
    `created consumer ${n.taskConsumer} on ${n.taskStream}`,
    `created stream ${n.resultStream}`,
    `created consumer ${n.resultConsumer} on ${n.resultStream}`,
    `created stream ${n.advisoryStream}`,
    `created consumer ${n.advisoryConsumer} on ${n.advisoryStream}`,
    `created KV bucket ${n.stateBucket}`,
    `created KV bucket ${n.workersBucket}`,
    `created object store ${n.artifactsBucket}`,
  ]);

  const jsm = await jetstreamManager(nc);
  const tasks = await jsm.streams.info(n.taskStream);
  assert.equal(tasks.config.retention, RetentionPolicy.Workqueue);
  assert.equal(tasks.config.storage, StorageType.File);
  assert.deepEqual(tasks.config.subjects, [`${prefix}.tasks.>`]);
  assert.equal(tasks.config.max_msg_size, 8192);
  const workers = await jsm.consumers.info(n.taskStream, n.taskConsumer);
  assert.equal(workers.config.durable_name, n.taskConsumer);
  assert.equal(workers.config.deliver_subject, undefined, 'a pull consumer');
  assert.equal(workers.config.ack_policy, AckPolicy.Explicit);
  assert.equal(workers.config.ack_wait, nanos(7000));
  assert.equal(workers.config.max_deliver, 4);
  assert.equal(workers.config.max_ack_pending, 50);
  const results = await jsm.streams.info(n.resultStream);
  assert.equal(results.config.retention, RetentionPolicy.Limits);
  assert.equal(results.config.storage, StorageType.File);
  const coordinator = await jsm.consumers.info(n.resultStream, n.resultConsumer);
  assert.equal(coordinator.config.ack_policy, AckPolicy.Explicit);
  assert.equal((await first.workers.status()).ttl, 15_000);
  assert.equal((await first.state.status()).storage, StorageType.File);
  assert.equal((await first.artifacts.status()).storage, StorageType.File);
  const advisories = await jsm.streams.info(n.advisoryStream);
  assert.deepEqual(advisories.config.subjects, [n.maxDeliveriesAdvisory]);
  assert.equal(advisories.config.storage, StorageType.File);

  const second = await ensureResources(nc, opts);
  assert.deepEqual(second.changes, []);
  // The handles of an idempotent run work on the same data.
  await first.state.put('job.x', 'hello');
  assert.equal((await second.state.get('job.x'))?.string(), 'hello');
});

test('changed settings are updated in place', async () => {
  const prefix = uniquePrefix();
  const n = natsNames(prefix);
  await ensureResources(nc, { prefix });
  const changed = await ensureResources(nc, { prefix, ackWaitMs: 5000, maxDeliver: 2, workersTtlMs: 3000 });
  assert.deepEqual(
    changed.changes.map((c) => c.split(' (')[0]),
    [`updated consumer ${n.taskConsumer} on ${n.taskStream}`, `updated stream KV_${n.workersBucket}`],
  );
  const jsm = await jetstreamManager(nc);
  const ci = await jsm.consumers.info(n.taskStream, n.taskConsumer);
  assert.equal(ci.config.ack_wait, nanos(5000));
  assert.equal(ci.config.max_deliver, 2);
  assert.equal((await changed.workers.status()).ttl, 3000);
  assert.deepEqual(
    (await ensureResources(nc, { prefix, ackWaitMs: 5000, maxDeliver: 2, workersTtlMs: 3000 })).changes,
    [],
  );
});

test('a stream that exists with settings that cannot change fails clearly, naming it', async () => {
  const prefix = uniquePrefix();
  const n = natsNames(prefix);
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({
    name: n.taskStream,
    subjects: [n.taskSubjects],
    retention: RetentionPolicy.Limits,
  });
  await assert.rejects(ensureResources(nc, { prefix }), (err: unknown) => {
    assert.ok(err instanceof NatsResourceError);
    assert.equal(err.resource, `stream ${n.taskStream}`);
    assert.match(err.message, /retention: "limits" → "workqueue"/);
    return true;
  });
});

test('options are validated by field, and messages larger than the server allows are refused', async () => {
  await assert.rejects(ensureResources(nc, { prefix: uniquePrefix(), maxDeliver: 0 }), /maxDeliver/);
  await assert.rejects(ensureResources(nc, { prefix: uniquePrefix(), ackWaitMs: 10 }), /ackWaitMs/);
  await assert.rejects(ensureResources(nc, { prefix: 'Bad.Prefix' }), /invalid NATS prefix/);
  await assert.rejects(
    ensureResources(nc, { prefix: uniquePrefix(), maxMessageBytes: 2 * 1024 * 1024 }),
    (err: unknown) => err instanceof NatsResourceError && /max_payload 1048576/.test(err.message),
  );
});
