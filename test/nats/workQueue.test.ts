import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstream } from '@nats-io/jetstream';
import type { JsMsg } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { ensureResources } from '../../coordinator/nats/ensureResources.ts';
import type { NatsResourceOptions } from '../../cluster/nats/natsResourceOptions.ts';
import { startNatsServer } from '../support/natsServer.ts';
import type { NatsServer } from '../support/natsServer.ts';
import { uniquePrefix } from './prefix.ts';

/** JetStream's work-queue semantics as the coordinator and the workers rely on them. */

let srv: NatsServer;
let coordinator: NatsConnection;
let workerA: NatsConnection;
let workerB: NatsConnection;
before(async () => {
  srv = await startNatsServer();
  const dial = () => connect({ servers: srv.url });
  [coordinator, workerA, workerB] = await Promise.all([dial(), dial(), dial()]);
});
after(async () => {
  await Promise.all([coordinator, workerA, workerB].map((c) => c.close()));
  await srv.stop();
});

async function setup(options: Partial<NatsResourceOptions> = {}) {
  const r = await ensureResources(coordinator, { prefix: uniquePrefix(), ...options });
  const consumerOf = (nc: NatsConnection) =>
    jetstream(nc).consumers.get(r.names.taskStream, r.names.taskConsumer);
  const publish = (body: string) => r.js.publish(r.names.taskSubject('job1'), body);
  const waitingPulls = async () =>
    (await r.jsm.consumers.info(r.names.taskStream, r.names.taskConsumer)).num_waiting;
  return { r, consumerOf, publish, waitingPulls };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('each task goes to exactly one of two workers pulling on the shared consumer, and ack removes it', async () => {
  const { r, consumerOf, publish, waitingPulls } = await setup();
  const [a, b] = await Promise.all([consumerOf(workerA), consumerOf(workerB)]);
  const pulls = [a.next({ expires: 3000 }), b.next({ expires: 3000 })];
  await until('both pulls to be waiting', async () => (await waitingPulls()) === 2);
  await publish('task-1');
  await publish('task-2');
  const [ma, mb] = await Promise.all(pulls);
  assert.ok(ma && mb, 'each waiting pull got a message');
  assert.deepEqual([ma.string(), mb.string()].sort(), ['task-1', 'task-2']);
  assert.equal(ma.info.deliveryCount, 1);
  await Promise.all([ma.ackAck(), mb.ackAck()]);
  const info = await r.jsm.streams.info(r.names.taskStream);
  assert.equal(info.state.messages, 0, 'a work queue drops acked messages');
});

test('nak with a delay redelivers the task after the delay, marked as redelivered', async () => {
  const { consumerOf, publish } = await setup();
  const c = await consumerOf(workerA);
  await publish('retry-me');
  const first = await c.next({ expires: 2000 });
  assert.ok(first);
  const t0 = Date.now();
  first.nak(600);
  const second = await c.next({ expires: 3000 });
  const waited = Date.now() - t0;
  assert.ok(second);
  assert.equal(second.string(), 'retry-me');
  assert.equal(second.redelivered, true);
  assert.equal(second.info.deliveryCount, 2);
  assert.ok(waited >= 500, `redelivered after ${waited} ms, before the 600 ms delay`);
  await second.ackAck();
});

test('a task that reaches MaxDeliver emits the MAX_DELIVERIES advisory naming its stream sequence', async () => {
  const { r, consumerOf, publish } = await setup({ maxDeliver: 2 });
  const advisories = coordinator.subscribe(r.names.maxDeliveriesAdvisory, { max: 1 });
  const got = (async () => {
    for await (const m of advisories) return m.json<Record<string, unknown>>();
    return undefined;
  })();
  await coordinator.flush();
  const ack = await publish('doomed');
  const c = await consumerOf(workerA);
  for (let delivery = 1; delivery <= 2; delivery++) {
    const m = await c.next({ expires: 2000 });
    assert.equal(m?.info.deliveryCount, delivery);
    m?.nak();
  }
  // The server notices the exhausted message while serving a pull (workers always have one open).
  const none = await c.next({ expires: 1000 });
  assert.equal(none, null, 'no third delivery');
  const advisory = await got;
  assert.ok(advisory, 'advisory received');
  assert.equal(advisory.type, 'io.nats.jetstream.advisory.v1.max_deliver');
  assert.equal(advisory.stream, r.names.taskStream);
  assert.equal(advisory.consumer, r.names.taskConsumer);
  assert.equal(advisory.stream_seq, ack.seq);
  assert.equal(advisory.deliveries, 2);
  // The message stays in the stream (the coordinator can read it, then delete it).
  const stored = await r.jsm.streams.getMessage(r.names.taskStream, { seq: ack.seq });
  assert.equal(stored?.string(), 'doomed');
});

test('working() extends AckWait: no redelivery while a worker reports progress, redelivery when it stops', async () => {
  const { consumerOf, publish } = await setup({ ackWaitMs: 1000 });
  const [a, b] = await Promise.all([consumerOf(workerA), consumerOf(workerB)]);
  await publish('long-task');
  const held = await a.next({ expires: 2000 });
  assert.ok(held);
  const heartbeat = setInterval(() => held.working(), 300);
  try {
    // Longer than two AckWaits: without working() this pull would get the message back.
    const stolen = await b.next({ expires: 2500 });
    assert.equal(stolen, null, 'redelivered although the worker called working()');
  } finally {
    clearInterval(heartbeat);
  }
  // Worker A goes silent (as if killed): the task comes back to B after AckWait.
  const t0 = Date.now();
  const back: JsMsg | null = await b.next({ expires: 3000 });
  assert.ok(back, 'redelivered after the worker went silent');
  assert.equal(back.string(), 'long-task');
  assert.equal(back.info.deliveryCount, 2);
  assert.ok(Date.now() - t0 < 2500);
  await back.ackAck();
});

test('publish → consume latency on loopback (measured, not asserted)', async (t) => {
  const { consumerOf, publish } = await setup();
  const c = await consumerOf(workerA);
  let deliver: ((m: JsMsg) => void) | undefined;
  const messages = await c.consume({
    callback: (m) => {
      m.ack();
      deliver?.(m);
    },
  });
  const latencies: number[] = [];
  for (let i = 0; i < 200; i++) {
    const received = new Promise<JsMsg>((resolve) => (deliver = resolve));
    const t0 = performance.now();
    const acked = publish(`m${i}`);
    const m = await received;
    latencies.push(performance.now() - t0);
    assert.equal(m.string(), `m${i}`);
    await acked;
  }
  await messages.close();
  latencies.sort((x, y) => x - y);
  const median = latencies[latencies.length >> 1] ?? NaN;
  const p95 = latencies[Math.floor(latencies.length * 0.95)] ?? NaN;
  t.diagnostic(
    `publish→consume over ${latencies.length} messages: median ${median.toFixed(3)} ms, p95 ${p95.toFixed(3)} ms`,
  );
  assert.equal(latencies.length, 200);
});
