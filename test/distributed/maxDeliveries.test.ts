import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { connect } from '@nats-io/transport-node';
import { encodeMessage } from '../../cluster/messages/codec.ts';
import { type ResultMessage } from '../../cluster/messages/resultMessage.ts';
import { type TaskMessage } from '../../cluster/messages/taskMessage.ts';
import { pullOne } from '../../cluster/nats/pullOne.ts';
import { ResultRouter } from '../../coordinator/distributed/resultRouter.ts';
import { ensureResources } from '../../coordinator/nats/ensureResources.ts';
import { startNatsServer } from '../support/natsServer.ts';

/**
 * A task runs out of deliveries while no coordinator listens (it crashed, say). The advisory waits in
 * its stream: the coordinator that starts next fails that dispatch with MaxDeliveriesError instead of
 * waiting for it forever, and removes the exhausted message from the work queue.
 */
test(
  'a MAX_DELIVERIES advisory sent while no coordinator listens fails the dispatch once one starts',
  { timeout: 60_000 },
  async (t) => {
    const server = await startNatsServer();
    t.after(() => server.stop());
    const nc = await connect({ servers: server.url });
    t.after(() => nc.close());
    const r = await ensureResources(nc, { prefix: `t${randomBytes(4).toString('hex')}`, maxDeliver: 2 });

    const message: TaskMessage = {
      jobId: 'job1',
      taskId: 'train:mlp-0',
      dispatchId: 'dispatch-1',
      task: { id: 'train:mlp-0', type: 'train', member: 'mlp-0', deps: [] },
    };
    const ack = await r.js.publish(r.names.taskSubject('job1'), encodeMessage(message));
    // A worker takes it twice and gives up both times; the server then emits the advisory.
    const consumer = await r.js.consumers.get(r.names.taskStream, r.names.taskConsumer);
    const never = new AbortController().signal;
    for (let delivery = 1; delivery <= 2; delivery++) {
      const m = await pullOne(consumer, never);
      assert.equal(m?.info.deliveryCount, delivery);
      m?.nak();
    }
    assert.equal(await consumer.next({ expires: 1000 }), null, 'no third delivery');
    // The advisory is kept even though nobody subscribed to it.
    const deadline = Date.now() + 5000;
    while ((await r.jsm.streams.info(r.names.advisoryStream)).state.messages < 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal((await r.jsm.streams.info(r.names.advisoryStream)).state.messages, 1);

    // The next coordinator: its router starts, and the dispatch is re-attached a moment later.
    const router = new ResultRouter({
      nc,
      js: r.js,
      jsm: r.jsm,
      names: r.names,
      classifyOrphan: () => Promise.resolve('wait'),
    });
    router.start();
    t.after(() => router.stop());
    await new Promise((resolve) => setTimeout(resolve, 300)); // the advisory arrives before the waiter
    const final = await new Promise<ResultMessage>((resolve) => {
      router.register('dispatch-1', {
        final: async (m) => resolve(m),
        interim: () => {},
        yielded: () => Promise.resolve(),
      });
    });
    assert.equal(final.final, true);
    assert.equal(final.outcome.ok, false);
    assert.ok(!final.outcome.ok && final.outcome.error.name === 'MaxDeliveriesError');
    assert.match(!final.outcome.ok ? final.outcome.error.message : '', /gave up after 2 deliveries/);
    // Then the exhausted message leaves the work queue.
    const stored = () => r.jsm.streams.getMessage(r.names.taskStream, { seq: ack.seq }).catch(() => null);
    const until = Date.now() + 5000;
    while ((await stored()) !== null && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
    assert.equal(await stored(), null, 'the task message was removed');
  },
);
