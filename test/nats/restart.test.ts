import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { ensureResources } from '../../coordinator/nats/ensureResources.ts';
import { KvJobStore } from '../../coordinator/nats/kvJobStore.ts';
import { KvStateStore } from '../../coordinator/nats/kvStateStore.ts';
import type { JobRecord } from '../../cluster/state/jobRecord.ts';
import { NatsArtifactStore } from '../../cluster/artifacts/natsArtifactStore.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import { startNatsServer } from '../support/natsServer.ts';
import type { NatsServer } from '../support/natsServer.ts';
import { uniquePrefix } from './prefix.ts';

/** "nats-server restarted mid-job": everything Chorus keeps in JetStream is on file storage. */

let srv: NatsServer;
before(async () => {
  srv = await startNatsServer();
});
after(async () => {
  await srv.stop();
});

/** Resolves at the connection's next status event of this type. */
async function statusOf(nc: NatsConnection, type: string): Promise<void> {
  for await (const s of nc.status()) if (s.type === type) return;
}

/** Like a coordinator's connection: reconnects for as long as it takes. */
const dial = () => connect({ servers: srv.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });

const job: JobRecord = {
  id: 'job-r',
  name: 'demo',
  status: 'running',
  submittedAt: 1,
  jobText: 'name: demo\n',
  job: { name: 'demo' } as unknown as ResolvedJob,
};

async function writeEverything(nc: NatsConnection, prefix: string) {
  const res = await ensureResources(nc, { prefix });
  const blob = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
  await new NatsArtifactStore(res.objects, 'job-r/').put('models/m/weights.bin', blob);
  await new KvStateStore(res.state, res.names, 'job-r').putTask({
    id: 'train:m',
    status: 'done',
    attempts: 1,
  });
  await new KvJobStore(res.state, res.names).putJob(job);
  const ack = await res.js.publish(res.names.taskSubject('job-r'), JSON.stringify({ taskId: 'predict:m' }));
  await res.js.publish(res.names.resultSubject('job-r'), JSON.stringify({ taskId: 'train:m' }));
  return { blob, taskSeq: ack.seq };
}

async function checkEverything(nc: NatsConnection, prefix: string, blob: Uint8Array) {
  const res = await ensureResources(nc, { prefix });
  assert.deepEqual(res.changes, [], 'every stream, consumer and bucket survived');
  const back = await new NatsArtifactStore(res.objects, 'job-r/').get('models/m/weights.bin');
  assert.ok(Buffer.from(back).equals(blob), 'artifact bytes');
  assert.deepEqual(await new KvStateStore(res.state, res.names, 'job-r').loadTasks(), [
    { id: 'train:m', status: 'done', attempts: 1 },
  ]);
  assert.deepEqual(await new KvJobStore(res.state, res.names).getJob('job-r'), job);
  const task = await (
    await res.js.consumers.get(res.names.taskStream, res.names.taskConsumer)
  ).next({ expires: 2000 });
  assert.equal(task?.json<{ taskId: string }>().taskId, 'predict:m', 'the queued task is still delivered');
  await task?.ackAck();
  const result = await (
    await res.js.consumers.get(res.names.resultStream, res.names.resultConsumer)
  ).next({
    expires: 2000,
  });
  assert.equal(result?.json<{ taskId: string }>().taskId, 'train:m', 'the unread result is still there');
  await result?.ackAck();
}

test('a crashed (SIGKILL) and restarted server keeps streams, KV, objects and queued messages', async () => {
  const prefix = uniquePrefix();
  const nc = await dial();
  try {
    const { blob } = await writeEverything(nc, prefix);
    const reconnected = statusOf(nc, 'reconnect');
    srv.kill();
    await srv.restart();
    // The old connection reconnects by itself and keeps working. (A JetStream request sent while
    // it is still disconnected can be lost and time out: callers retry, or wait as here.)
    await reconnected;
    await checkEverything(nc, prefix, blob);
  } finally {
    await nc.close();
  }
});

test('after a graceful restart a fresh connection sees the same state', async () => {
  const prefix = uniquePrefix();
  const before = await dial();
  const { blob } = await writeEverything(before, prefix);
  await before.close();
  await srv.restart();
  const nc = await dial();
  try {
    await checkEverything(nc, prefix, blob);
  } finally {
    await nc.close();
  }
});
