import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { ensureResources } from '../../coordinator/nats/ensureResources.ts';
import { openResources } from '../../cluster/nats/openResources.ts';
import { checkWorkerNats } from '../../worker/distributed/startupChecks.ts';
import { natsNames, type NatsNames } from '../../cluster/nats/natsNames.ts';
import { NatsResourceError } from '../../cluster/errors.ts';
import { startNatsCluster, type NatsCluster } from '../support/natsCluster.ts';
import { startNatsServer } from '../support/natsServer.ts';
import { uniquePrefix } from './prefix.ts';

let cluster: NatsCluster;
let nc: NatsConnection;
before(async () => {
  cluster = await startNatsCluster(3);
  nc = await connect({ servers: cluster.urls });
});
after(async () => {
  await nc.close();
  await cluster.stop();
});

function streamsOf(n: NatsNames): string[] {
  return [
    n.taskStream,
    n.resultStream,
    n.advisoryStream,
    `KV_${n.stateBucket}`,
    `KV_${n.workersBucket}`,
    `OBJ_${n.artifactsBucket}`,
  ];
}

async function replicasOf(n: NatsNames): Promise<Record<string, number>> {
  const jsm = await jetstreamManager(nc);
  const out: Record<string, number> = {};
  for (const name of streamsOf(n)) {
    const info = await jsm.streams.info(name);
    // The leader plus its followers: the copies that exist, not only the configured count.
    out[name] = (info.cluster?.replicas?.length ?? 0) + (info.cluster?.leader ? 1 : 0);
    assert.equal(info.config.num_replicas, out[name], `${name}: configured and actual copies`);
  }
  return out;
}

test('--replicas 3 creates every stream, KV bucket and the Object Store with three copies; a second run changes nothing', async () => {
  const prefix = uniquePrefix();
  const n = natsNames(prefix);
  const first = await ensureResources(nc, { prefix, replicas: 3 });
  assert.equal(first.changes.length, 9);
  assert.deepEqual(Object.values(await replicasOf(n)), [3, 3, 3, 3, 3, 3]);
  const jsm = await jetstreamManager(nc);
  for (const [stream, consumer] of [
    [n.taskStream, n.taskConsumer],
    [n.resultStream, n.resultConsumer],
  ] as const) {
    const ci = await jsm.consumers.info(stream, consumer);
    assert.equal((ci.cluster?.replicas?.length ?? 0) + 1, 3, `${consumer} on ${stream} is replicated`);
  }
  // Reads of replicated buckets go through their leader: no copy that lags can answer them.
  for (const stream of streamsOf(n).slice(3)) {
    assert.equal((await jsm.streams.info(stream)).config.allow_direct, false, stream);
  }
  const bytes = new Uint8Array(5000).map((_, i) => i % 251);
  await first.objects.put('a/b', bytes, 1024);
  assert.deepEqual(
    (await first.objects.read('a/b'))?.bytes,
    bytes,
    'read back through the leader, chunk by chunk',
  );
  assert.deepEqual((await ensureResources(nc, { prefix, replicas: 3 })).changes, []);
});

test('an R1 install asked for 3 replicas is told how to move, and is not changed', async () => {
  const prefix = uniquePrefix();
  const n = natsNames(prefix);
  await ensureResources(nc, { prefix });
  await assert.rejects(ensureResources(nc, { prefix, replicas: 3 }), (err: unknown) => {
    assert.ok(err instanceof NatsResourceError, String(err));
    assert.equal(err.resource, `stream ${n.taskStream}`);
    assert.match(err.message, /has 1 replica but 3 were asked for/);
    assert.match(err.message, /--move-replicas/);
    assert.match(err.message, /docs\/operations\.md/);
    return true;
  });
  assert.deepEqual(Object.values(await replicasOf(n)), [1, 1, 1, 1, 1, 1]);
});

test('--move-replicas scales every stream of an R1 install in place, keeping its data', async () => {
  const prefix = uniquePrefix();
  const n = natsNames(prefix);
  const r1 = await ensureResources(nc, { prefix });
  await r1.state.put('job.kept', 'still here');
  await r1.objects.put('kept/object', new TextEncoder().encode('bytes'), 1024);
  const moved = await ensureResources(nc, { prefix, replicas: 3, moveReplicas: true });
  assert.deepEqual(
    moved.changes.map((c) => c.split(' (')[0]),
    streamsOf(n).map((s) => `updated stream ${s}`),
  );
  assert.ok(
    moved.changes.every((c) => c.includes('num_replicas: 1 → 3')),
    moved.changes.join('\n'),
  );
  assert.deepEqual(Object.values(await replicasOf(n)), [3, 3, 3, 3, 3, 3]);
  assert.equal((await moved.state.get('job.kept'))?.string(), 'still here');
  const kept = await moved.objects.read('kept/object');
  assert.equal(new TextDecoder().decode(kept?.bytes), 'bytes');
  assert.deepEqual((await ensureResources(nc, { prefix, replicas: 3 })).changes, []);
});

test('replicas is validated by field', async () => {
  await assert.rejects(
    ensureResources(nc, { prefix: uniquePrefix(), replicas: 2 }),
    /replicas: expected one of 1, 3, 5/,
  );
});

test('3 replicas on a single server is refused, naming the stream and what it needs', async () => {
  const single = await startNatsServer();
  const one = await connect({ servers: single.url });
  try {
    await assert.rejects(ensureResources(one, { prefix: uniquePrefix(), replicas: 3 }), (err: unknown) => {
      assert.ok(err instanceof NatsResourceError, String(err));
      assert.match(
        err.message,
        /cannot be created with 3 replicas: .*needs a JetStream cluster of at least 3 servers/,
      );
      return true;
    });
  } finally {
    await one.close();
    await single.stop();
  }
});

test("workers' start-up checks leave a replicated task stream alone", async () => {
  const prefix = uniquePrefix();
  const n = natsNames(prefix);
  await ensureResources(nc, { prefix, replicas: 3 });
  const resources = await openResources(nc, { prefix });
  const started = performance.now();
  for (let i = 0; i < 3; i++)
    await checkWorkerNats(nc, resources, { name: 'worker', instance: `probe-${i}` });
  const ms = performance.now() - started;
  // An ack probe made the task stream fail to apply it and reset its Raft group: the checks then
  // waited out timeouts (about 20 s), and the servers logged it.
  await new Promise((r) => setTimeout(r, 1000));
  for (const server of cluster.servers) {
    assert.doesNotMatch(server.log(), new RegExp(`Error applying entries to '[^']*${n.taskStream}'`));
  }
  assert.ok(ms < 8000, `three rounds of checks took ${Math.round(ms)} ms`);
});
