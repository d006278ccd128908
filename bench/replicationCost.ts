/**
 * What three copies cost (`npm run bench -- --only replication`): JetStream publish latency (a
 * task-sized message, one at a time, waiting for each ack) and Object Store write and read throughput (a
 * model-sized object through ObjectBucket, as workers and the coordinator use it), on one nats-server
 * with R1 streams and on a three-server loopback cluster with R1 and with R3 streams (ensureResources,
 * as `--replicas` makes them). The single server is each figure's same-run baseline.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ensureResources } from '../coordinator/nats/ensureResources.ts';
import { startNatsCluster } from '../test/support/natsCluster.ts';
import { startNatsServer } from '../test/support/natsServer.ts';
import { median } from './aggregation.ts';
import { figure, type Benchmark, type Figure } from './benchResults.ts';

const MESSAGE_BYTES = 512;
const OBJECT_BYTES = 16 * 1024 * 1024;
const CHUNK_BYTES = 128 * 1024;

interface Cost {
  publishMs: number;
  writeMBps: number;
  readMBps: number;
}

async function measure(nc: NatsConnection, replicas: number, quick: boolean): Promise<Cost> {
  const prefix = `bench${replicas}${Math.floor(Math.random() * 1e6)}`;
  const r = await ensureResources(nc, { prefix, replicas });
  const subject = r.names.taskSubject('bench');
  const body = new Uint8Array(MESSAGE_BYTES).fill(7);
  for (let i = 0; i < 100; i++) await r.js.publish(subject, body); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < (quick ? 200 : 2000); i++) {
    const t0 = performance.now();
    await r.js.publish(subject, body);
    ms.push(performance.now() - t0);
  }
  const bytes = new Uint8Array(OBJECT_BYTES).map((_, i) => i % 251);
  const rounds = quick ? 1 : 3;
  let writeS = 0;
  let readS = 0;
  for (let i = 0; i < rounds; i++) {
    let t0 = performance.now();
    await r.objects.put(`bench/object-${i}`, bytes, CHUNK_BYTES);
    writeS += (performance.now() - t0) / 1000;
    t0 = performance.now();
    const back = await r.objects.read(`bench/object-${i}`);
    readS += (performance.now() - t0) / 1000;
    if (back?.bytes.length !== OBJECT_BYTES) throw new Error('object read back short');
  }
  const mb = (OBJECT_BYTES * rounds) / 1e6;
  return { publishMs: median(ms), writeMBps: mb / writeS, readMBps: mb / readS };
}

export const replicationCost: Benchmark = async ({ quick }) => {
  const title = 'What three copies cost: one nats-server (R1) vs a three-server loopback cluster (R1, R3)';
  const single = await startNatsServer();
  const one = await connect({ servers: single.url });
  let base: Cost;
  try {
    base = await measure(one, 1, quick);
  } finally {
    await one.close();
    await single.stop();
  }
  const cluster = await startNatsCluster(3);
  const three = await connect({ servers: cluster.urls });
  const clustered: Record<'R1' | 'R3', Cost> = { R1: base, R3: base };
  try {
    clustered.R1 = await measure(three, 1, quick);
    clustered.R3 = await measure(three, 3, quick);
  } finally {
    await three.close();
    await cluster.stop();
  }
  const figures: Figure[] = [];
  for (const copies of ['R1', 'R3'] as const) {
    const c = clustered[copies];
    const group = `three servers, ${copies} streams, against one server`;
    figures.push(
      figure({
        id: `replication.${copies.toLowerCase()}.publish`,
        group,
        label: `publish → ack, median (${MESSAGE_BYTES} B, one at a time)`,
        value: c.publishMs,
        unit: 'ms',
        baseline: { label: 'one server, R1', value: base.publishMs },
        higherIsBetter: false,
      }),
      figure({
        id: `replication.${copies.toLowerCase()}.write`,
        group,
        label: `Object Store write (${OBJECT_BYTES / 1048576} MiB in ${CHUNK_BYTES / 1024} KiB chunks)`,
        value: c.writeMBps,
        unit: 'MB/s',
        baseline: { label: 'one server, R1', value: base.writeMBps },
        higherIsBetter: true,
      }),
      figure({
        id: `replication.${copies.toLowerCase()}.read`,
        group,
        label: 'Object Store read of the same object',
        value: c.readMBps,
        unit: 'MB/s',
        baseline: { label: 'one server, R1', value: base.readMBps },
        higherIsBetter: true,
      }),
    );
  }
  return { title, figures, details: { single: base, cluster: clustered } };
};
