import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  probeAck,
  probeDirectGet,
  probePublish,
  probePull,
  probePurge,
} from '../../cluster/nats/accessProbes.ts';
import type { NatsResources } from '../../cluster/nats/natsResources.ts';
import { StartupCheckError } from '../../cluster/errors.ts';
import { ensureResources } from '../../coordinator/nats/ensureResources.ts';
import { startNatsServer, type NatsServer } from '../support/natsServer.ts';
import { uniquePrefix } from './prefix.ts';

/**
 * The start-up probes (cluster/nats/accessProbes.ts) against a real server: with a login that has the
 * right they pass and change nothing (a waiting task is not delivered, no message is stored or
 * purged); with one that lacks it they fail with the operation named.
 */

let srv: NatsServer;
let full: NatsConnection;
let limited: NatsConnection;
let res: NatsResources;
before(async () => {
  srv = await startNatsServer({
    config: [
      'authorization { users: [',
      '  { user: "full", password: "f" }',
      '  { user: "limited", password: "l", permissions: { publish: { allow: ["$JS.API.INFO"] }, subscribe: { allow: ["_INBOX.>"] } } }',
      '] }',
    ],
  });
  full = await connect({ servers: srv.url, user: 'full', pass: 'f' });
  limited = await connect({ servers: srv.url, user: 'limited', pass: 'l' });
  res = await ensureResources(full, { prefix: uniquePrefix() });
});
after(async () => {
  await limited.close();
  await full.close();
  await srv.stop();
});

test('with the right, every probe passes and nothing changes: no delivery, no message stored or removed', async () => {
  const { names, objects } = res;
  await jetstream(full).publish(names.taskSubject('j1'), 'a waiting task');
  await objects.put('j1/model.bin', new Uint8Array(10), 1024);
  const jsm = await jetstreamManager(full);
  const snapshot = async () => ({
    tasks: (await jsm.streams.info(names.taskStream)).state.messages,
    objects: (await jsm.streams.info(objects.stream)).state.messages,
    consumer: (await jsm.consumers.info(names.taskStream, names.taskConsumer)).delivered,
  });
  const before = await snapshot();
  await probePull(full, names.taskStream, names.taskConsumer, 'pull tasks', '');
  await probeAck(full, names.taskStream, names.taskConsumer, 'ack tasks', '');
  await probePublish(full, names.taskSubject('probe'), 'publish tasks', '');
  await probePublish(full, objects.chunkSubject('probe'), 'write artifacts', '');
  await probeDirectGet(jsm, objects.stream, objects.metaSubject('probe'), 'read artifacts', '');
  await probePurge(jsm, objects.stream, objects.chunkSubject('probe'), 'purge artifacts', '');
  assert.deepEqual(await snapshot(), before);
  // The waiting task is still there for a worker, on its first delivery.
  const msg = await (
    await jetstream(full).consumers.get(names.taskStream, names.taskConsumer)
  ).next({
    expires: 2000,
  });
  assert.equal(msg?.string(), 'a waiting task');
  assert.equal(msg?.info.deliveryCount, 1);
  msg?.ack();
});

test('without the right, each probe fails naming the operation and the hint', async () => {
  const { names, objects } = res;
  const jsm = await jetstreamManager(limited);
  const refused = (attempt: Promise<void>, what: string) =>
    assert.rejects(attempt, (err: unknown) => {
      assert.ok(err instanceof StartupCheckError, String(err));
      assert.match(
        err.message,
        new RegExp(
          `this NATS login cannot ${what}: the server refused it to this NATS user \\(permissions\\)\\. HINT`,
        ),
      );
      return true;
    });
  await refused(probePull(limited, names.taskStream, names.taskConsumer, 'pull tasks', 'HINT'), 'pull tasks');
  await refused(probeAck(limited, names.taskStream, names.taskConsumer, 'ack tasks', 'HINT'), 'ack tasks');
  await refused(probePublish(limited, names.taskSubject('probe'), 'publish tasks', 'HINT'), 'publish tasks');
  await refused(
    probeDirectGet(jsm, objects.stream, objects.metaSubject('probe'), 'read artifacts', 'HINT'),
    'read artifacts',
  );
  await refused(
    probePurge(jsm, objects.stream, objects.chunkSubject('probe'), 'purge artifacts', 'HINT'),
    'purge artifacts',
  );
});
