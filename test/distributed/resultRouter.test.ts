import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { connect } from '@nats-io/transport-node';
import { encodeMessage } from '../../cluster/messages/codec.ts';
import { type ResultMessage } from '../../cluster/messages/resultMessage.ts';
import { ResultRouter, type OrphanVerdict } from '../../coordinator/distributed/resultRouter.ts';
import { ensureResources } from '../../coordinator/nats/ensureResources.ts';
import { startNatsServer } from '../support/natsServer.ts';

/**
 * The real ResultRouter on a real nats-server: only the current dispatch's result reaches its waiter;
 * results of superseded dispatches and late duplicates are acked and dropped, early ones wait.
 */
test('the result router delivers the current dispatch once and drops late and superseded results', async (t) => {
  const server = await startNatsServer();
  t.after(() => server.stop());
  const nc = await connect({ servers: server.url });
  const r = await ensureResources(nc, { prefix: `t${randomBytes(4).toString('hex')}` });

  /** What the coordinator would say from KV: `current` dispatches wait, everything else is stale. */
  const current = new Set<string>();
  const classified: string[] = [];
  const router = new ResultRouter({
    nc,
    js: r.js,
    jsm: r.jsm,
    names: r.names,
    classifyOrphan: (result): Promise<OrphanVerdict> => {
      classified.push(result.dispatchId);
      return Promise.resolve(current.has(result.dispatchId) ? 'wait' : 'stale');
    },
    onRetry: (result) => retries.push(result),
  });
  router.start();
  // Closing the connection ends the router's pull at once (stop alone lets it run out).
  t.after(() => Promise.all([router.stop(), nc.close()]));

  const finals: ResultMessage[] = [];
  const interims: ResultMessage[] = [];
  const yields: ResultMessage[] = [];
  const retries: ResultMessage[] = [];
  const waiter = {
    final: (m: ResultMessage) => {
      finals.push(m);
      current.delete(m.dispatchId); // recorded as done: a later copy is stale
      return Promise.resolve();
    },
    interim: (m: ResultMessage) => interims.push(m),
    yielded: (m: ResultMessage) => {
      yields.push(m);
      current.delete(m.dispatchId); // superseded by the next dispatch
      return Promise.resolve();
    },
  };
  const publish = (dispatchId: string, final: boolean, accuracy: number, deliveries = 1, yielded = false) =>
    r.js.publish(
      r.names.resultSubject('job1'),
      encodeMessage({
        jobId: 'job1',
        taskId: 'train:mlp-0',
        dispatchId,
        final,
        deliveries,
        worker: 'w',
        ...(yielded ? { yielded: true } : {}),
        outcome:
          final || yielded
            ? yielded
              ? {
                  ok: false,
                  error: { name: 'TaskYieldedError', message: 'gave its slot back', retryable: true },
                }
              : { ok: true, result: { type: 'predict', seconds: accuracy } }
            : { ok: false, error: { name: 'Error', message: 'flaky', retryable: true } },
      }),
    );
  const drained = async () => {
    const info = await r.jsm.consumers.info(r.names.resultStream, r.names.resultConsumer);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  };

  // The current dispatch d2 is waited for; d1 is an older, superseded dispatch of the same task.
  current.add('d2');
  router.register('d2', waiter);
  await publish('d1', true, 1); // superseded: must not complete d2's task
  await publish('d2', false, 0); // a failed attempt JetStream will redeliver
  await publish('d2', true, 2); // the real result
  await publish('d2', true, 3, 2); // a late duplicate from an attempt that was superseded by redelivery
  await until(async () => finals.length === 1 && (await drained()), 'the results to be routed');
  // Give a wrongly routed duplicate every chance to show up.
  await publish('d1', true, 4);
  await until(drained, 'the last stale result to be acked');

  assert.equal(finals.length, 1, 'exactly one final result reached the waiter');
  assert.equal(finals[0]?.dispatchId, 'd2');
  assert.deepEqual(finals[0]?.outcome, { ok: true, result: { type: 'predict', seconds: 2 } });
  assert.equal(interims.length, 1);
  assert.deepEqual(classified, ['d1', 'd2', 'd1'], 'orphans were classified, the duplicate found stale');

  // An early result (its dispatch is current but not registered yet) is kept until it is.
  current.add('d3');
  await publish('d3', true, 5);
  await until(async () => classified.includes('d3'), 'the early result to be seen');
  assert.equal(finals.length, 1, 'not delivered before its waiter registers');
  router.register('d3', waiter);
  await until(async () => finals.length === 2 && (await drained()), 'the early result to be delivered');
  assert.equal(finals[1]?.dispatchId, 'd3');

  // A yield ends its dispatch without a final result and without counting as a retry; a second copy
  // of it (or a late result of the yielded dispatch) is stale.
  current.add('d4');
  router.register('d4', waiter);
  await publish('d4', false, 0, 1, true);
  await until(async () => yields.length === 1 && (await drained()), 'the yield to be routed');
  await publish('d4', false, 0, 1, true);
  await publish('d4', true, 6);
  await until(drained, 'the late copies to be acked');
  assert.deepEqual(
    yields.map((m) => m.dispatchId),
    ['d4'],
  );
  assert.equal(finals.length, 2, 'a yielded dispatch has no final result');
  assert.deepEqual(
    retries.map((m) => m.dispatchId),
    ['d2'],
    'only the failed attempt counted as a retry',
  );
});

async function until(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
