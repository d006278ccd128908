/**
 * Dispatch latency at the NATS level, with the real resources (`ensureResources`) and the worker's
 * own pull (`pullOne`): an idle "worker" connection has a pull waiting on the task consumer; a
 * "coordinator" connection publishes a task message; the time from calling `js.publish` to the
 * message arriving (decoded) in the pull is one sample. Also times a burst of task publishes, all at
 * once, as the raw rate a coordinator could put tasks on the queue.
 *
 *   node --import tsx bench/natsDispatchChild.ts --nats nats://127.0.0.1:4222 [--count 200] [--burst 1000]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { pullOne } from '../cluster/nats/pullOne.ts';
import { decodeMessage, encodeMessage } from '../cluster/messages/codec.ts';
import { taskMessageSchema, type TaskMessage } from '../cluster/messages/taskMessage.ts';
import { ensureResources } from '../coordinator/nats/ensureResources.ts';
import { emitResult, numberArg, parseArgs, stringArg } from './emitResult.ts';

export interface NatsDispatchResult {
  /** Publish call → message received by the waiting pull, ms, one per sample. */
  latenciesMs: number[];
  /** Publish call → the server's PubAck, ms, for the same samples. */
  pubAckMs: number[];
  /** A core-NATS round trip (`nc.flush()`: PING → PONG), ms, median of 20. */
  rttMs: number;
  burst: { tasks: number; seconds: number };
}

const args = parseArgs(process.argv.slice(2));
const servers = stringArg(args, 'nats');
const count = numberArg(args, 'count', 200);
const burstSize = numberArg(args, 'burst', 1000);

const prefix = `bench${randomBytes(3).toString('hex')}`;
const coordinatorNc = await connect({ servers });
const workerNc = await connect({ servers });
const resources = await ensureResources(coordinatorNc, { prefix });
const { names, js } = resources;
const workerResources = await ensureResources(workerNc, { prefix });
const consumer = await workerResources.js.consumers.get(names.taskStream, names.taskConsumer);
const jobId = 'dispatch-latency';

function message(i: number): TaskMessage {
  return {
    jobId,
    taskId: `train:m-${i}`,
    dispatchId: randomUUID(),
    task: { id: `train:m-${i}`, type: 'train', member: `m-${i}`, deps: [] },
  };
}

const never = new AbortController().signal;
const latenciesMs: number[] = [];
const pubAckMs: number[] = [];
for (let i = 0; i < count + 10; i++) {
  // The worker is idle: its pull is already waiting on the server when the task is published.
  const pulled = pullOne(consumer, never).then((msg) => {
    const at = performance.now();
    if (!msg) throw new Error('no message within the pull');
    decodeMessage(taskMessageSchema, msg.data, 'task message');
    msg.ack();
    return at;
  });
  await new Promise((r) => setTimeout(r, 5));
  const m = message(i);
  const t0 = performance.now();
  const acked = js
    .publish(names.taskSubject(jobId), encodeMessage(m), { msgID: m.dispatchId })
    .then(() => performance.now());
  const [received, ack] = await Promise.all([pulled, acked]);
  // The first few warm the connections and the consumer up.
  if (i >= 10) {
    latenciesMs.push(received - t0);
    pubAckMs.push(ack - t0);
  }
}

const rtts: number[] = [];
for (let i = 0; i < 20; i++) {
  const t = performance.now();
  await coordinatorNc.flush();
  rtts.push(performance.now() - t);
}
rtts.sort((a, b) => a - b);

// A burst, as when many jobs start at once; the work queue keeps them (no worker pulls now).
const t0 = performance.now();
await Promise.all(
  Array.from({ length: burstSize }, (_, i) => {
    const m = message(i);
    return js.publish(names.taskSubject(jobId), encodeMessage(m), { msgID: m.dispatchId });
  }),
);
const burstSeconds = (performance.now() - t0) / 1000;

await resources.jsm.streams.delete(names.taskStream).catch(() => undefined);
await resources.jsm.streams.delete(names.resultStream).catch(() => undefined);
await workerNc.close();
await coordinatorNc.close();

const result: NatsDispatchResult = {
  latenciesMs,
  pubAckMs,
  rttMs: rtts[Math.floor(rtts.length / 2)] ?? NaN,
  burst: { tasks: burstSize, seconds: burstSeconds },
};
emitResult(result);
