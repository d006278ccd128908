import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { connect, nanos } from '@nats-io/transport-node';
import { NatsExecutor, type QueuedMark } from '../../coordinator/distributed/natsExecutor.ts';
import { ResultRouter } from '../../coordinator/distributed/resultRouter.ts';
import { ensureResources } from '../../coordinator/nats/ensureResources.ts';
import { KvStateStore } from '../../coordinator/nats/kvStateStore.ts';
import type { PoolTask } from '../../core/tasks/task.ts';
import { startNatsServer } from '../support/natsServer.ts';

/**
 * A restarted coordinator re-attaches to the dispatches recorded in KV. One whose message reached the
 * work queue must not be published again: past the stream's duplicate window (shortened here to
 * 1 s, 2 min by default) a copy would be a second message, and a second run of the task.
 */
test('re-attaching publishes a dispatch again only if it never reached the work queue', async (t) => {
  const server = await startNatsServer();
  t.after(() => server.stop());
  const nc = await connect({ servers: server.url });
  t.after(() => nc.close());
  const r = await ensureResources(nc, { prefix: `t${randomBytes(4).toString('hex')}` });
  await r.jsm.streams.update(r.names.taskStream, { duplicate_window: nanos(1000) });
  const router = new ResultRouter({
    nc,
    js: r.js,
    jsm: r.jsm,
    names: r.names,
    classifyOrphan: () => Promise.resolve('stale'),
  });
  const jobId = 'job1';
  const abort = new AbortController();
  t.after(() => abort.abort());
  const run = { attempt: 1, signal: abort.signal, onProgress: () => {} };
  const task: PoolTask = { type: 'train', id: 'train:mlp-0', deps: [], member: 'mlp-0' };
  const other: PoolTask = { type: 'train', id: 'train:mlp-1', deps: [], member: 'mlp-1' };
  const state = new KvStateStore(r.state, r.names, jobId);
  const queued = async () => (await r.jsm.streams.info(r.names.taskStream)).state.messages;

  // The first coordinator dispatches a task; a worker takes the message (and is still on it).
  await state.putTask({ id: task.id, status: 'running', attempts: 1 });
  void new NatsExecutor({ jobId, js: r.js, names: r.names, state, router }).run(task, run);
  await until(async () => (await state.getTask(task.id))?.dispatchId !== undefined && (await queued()) === 1);
  const consumer = await jetstream(nc).consumers.get(r.names.taskStream, r.names.taskConsumer);
  const taken = await consumer.next({ expires: 2000 });
  assert.ok(taken);
  taken.ack();
  await until(async () => (await queued()) === 0);
  const record: QueuedMark | undefined = await state.getTask(task.id);
  assert.ok(record?.dispatchId);
  assert.equal(record.queued, record.dispatchId, 'the dispatch is marked as queued');

  // A dispatch recorded in KV whose publish never happened (the coordinator died in between).
  await state.putTaskIfNewer({ id: other.id, status: 'running', attempts: 1, dispatchId: 'never-published' });

  // Past the duplicate window, a new coordinator re-attaches to both.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const restarted = new KvStateStore(r.state, r.names, jobId);
  const executor = new NatsExecutor({ jobId, js: r.js, names: r.names, state: restarted, router });
  const records = new Map((await restarted.loadTasks()).map((x) => [x.id, x]));
  void executor.reattach(task, records.get(task.id) ?? assert.fail('no record'), run);
  void executor.reattach(other, records.get(other.id) ?? assert.fail('no record'), run);
  await until(
    async () =>
      (await restarted.getTask(other.id))?.dispatchId === 'never-published' && (await queued()) >= 1,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));

  const again = await consumer.next({ expires: 2000 });
  assert.ok(again);
  const message = again.json<{ taskId: string; dispatchId: string }>();
  assert.deepEqual([message.taskId, message.dispatchId], [other.id, 'never-published']);
  await again.ackAck();
  assert.equal(await queued(), 0, 'the dispatch already on the queue was not published a second time');
});

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
