import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { ensureResources } from '../../coordinator/nats/ensureResources.ts';
import { natsNames } from '../../cluster/nats/natsNames.ts';
import { consumerSettings, openResources } from '../../cluster/nats/openResources.ts';
import { NatsResourceError } from '../../cluster/errors.ts';
import { startNatsServer, type NatsServer } from '../support/natsServer.ts';
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

async function streamNames(): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const names: string[] = [];
  for await (const name of jsm.streams.names()) names.push(name);
  return names;
}

test('before the coordinator has run, a worker is told to start it, and nothing is created', async () => {
  const prefix = uniquePrefix();
  const before = await streamNames();
  await assert.rejects(
    openResources(nc, { prefix }),
    (err: unknown) =>
      err instanceof NatsResourceError &&
      err.message.includes(`task stream (stream ${natsNames(prefix).taskStream}): does not exist`) &&
      err.message.includes('run the coordinator first'),
  );
  assert.deepEqual(await streamNames(), before);
});

test("it adopts the coordinator's settings and changes nothing on the server", async () => {
  const prefix = uniquePrefix();
  const n = natsNames(prefix);
  await ensureResources(nc, { prefix, ackWaitMs: 4000, maxDeliver: 5, workersTtlMs: 9000 });
  const jsm = await jetstreamManager(nc);
  const consumerBefore = (await jsm.consumers.info(n.taskStream, n.taskConsumer)).config;
  const tasksBefore = (await jsm.streams.info(n.taskStream)).config;

  // The worker's own defaults (or flags) differ: the server's settings win, and stay as they are.
  const opened = await openResources(nc, { prefix, ackWaitMs: 30_000, maxDeliver: 3 });
  assert.deepEqual(opened.changes, []);
  assert.equal(opened.options.ackWaitMs, 4000);
  assert.equal(opened.options.maxDeliver, 5);
  assert.equal(opened.options.workersTtlMs, 9000);
  assert.deepEqual((await jsm.consumers.info(n.taskStream, n.taskConsumer)).config, consumerBefore);
  assert.deepEqual((await jsm.streams.info(n.taskStream)).config, tasksBefore);

  // The handles work: a heartbeat in the workers bucket, an object in the store.
  await opened.workers.put(n.workerKey('w', '1'), '{}');
  await opened.objects.put('job/x', new Uint8Array([1, 2]), 1024);
  assert.deepEqual([...((await opened.artifacts.getBlob('job/x')) ?? [])], [1, 2]);
  assert.deepEqual(consumerSettings({ ack_wait: nanos(2500), max_deliver: -1 }), { ackWaitMs: 2500 });
});

test('a missing bucket is named', async () => {
  const prefix = uniquePrefix();
  const n = natsNames(prefix);
  await ensureResources(nc, { prefix });
  await (await jetstreamManager(nc)).streams.delete(`KV_${n.workersBucket}`);
  await assert.rejects(
    openResources(nc, { prefix }),
    new RegExp(
      `KV bucket ${n.workersBucket} \\(stream KV_${n.workersBucket}\\): does not exist: run the coordinator first`,
    ),
  );
});
