/**
 * What three copies cost: JetStream publish latency (a task-sized message, one at a time, waiting
 * for each ack) and Object Store write and read throughput (a model-sized object through
 * ObjectBucket, as workers and the coordinator use it), on one nats-server with R1 streams and on a
 * three-server loopback cluster with R1 and with R3 streams (ensureResources, as `--replicas` makes
 * them). Run alone: `nice -n 19 node --import tsx bench/replicationCost.ts` (not part of `npm run bench`).
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ensureResources } from '../coordinator/nats/ensureResources.ts';
import { startNatsCluster } from '../test/support/natsCluster.ts';
import { startNatsServer } from '../test/support/natsServer.ts';

const PUBLISHES = Number(process.env.PUBLISHES ?? 2000);
const MESSAGE_BYTES = 512;
const OBJECT_BYTES = 16 * 1024 * 1024;
const CHUNK_BYTES = 128 * 1024;
const OBJECT_ROUNDS = 3;

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function measure(nc: NatsConnection, label: string, replicas: number): Promise<void> {
  const prefix = `bench${replicas}${Math.floor(Math.random() * 1e6)}`;
  const r = await ensureResources(nc, { prefix, replicas });
  const subject = r.names.taskSubject('bench');
  const body = new Uint8Array(MESSAGE_BYTES).fill(7);
  for (let i = 0; i < 100; i++) await r.js.publish(subject, body); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < PUBLISHES; i++) {
    const t0 = performance.now();
    await r.js.publish(subject, body);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const bytes = new Uint8Array(OBJECT_BYTES).map((_, i) => i % 251);
  let writeS = 0;
  let readS = 0;
  for (let i = 0; i < OBJECT_ROUNDS; i++) {
    let t0 = performance.now();
    await r.objects.put(`bench/object-${i}`, bytes, CHUNK_BYTES);
    writeS += (performance.now() - t0) / 1000;
    t0 = performance.now();
    const back = await r.objects.read(`bench/object-${i}`);
    readS += (performance.now() - t0) / 1000;
    if (back?.bytes.length !== OBJECT_BYTES) throw new Error('object read back short');
  }
  const mb = (OBJECT_BYTES * OBJECT_ROUNDS) / 1e6;
  console.log(
    `${label.padEnd(24)} publish ack median ${quantile(ms, 0.5).toFixed(2)} ms, p90 ${quantile(ms, 0.9).toFixed(2)} ms, ` +
      `p99 ${quantile(ms, 0.99).toFixed(2)} ms; object write ${(mb / writeS).toFixed(0)} MB/s, read ${(mb / readS).toFixed(0)} MB/s`,
  );
}

const single = await startNatsServer();
const one = await connect({ servers: single.url });
await measure(one, '1 server, R1', 1);
await one.close();
await single.stop();

const cluster = await startNatsCluster(3);
const three = await connect({ servers: cluster.urls });
await measure(three, '3-server cluster, R1', 1);
await measure(three, '3-server cluster, R3', 3);
await three.close();
await cluster.stop();
console.log(
  `(${PUBLISHES} publishes of ${MESSAGE_BYTES} B each; ${OBJECT_ROUNDS} objects of ${OBJECT_BYTES / 1048576} MiB in ${CHUNK_BYTES / 1024} KiB chunks; loopback, one machine)`,
);
