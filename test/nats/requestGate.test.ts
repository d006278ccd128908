import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestGate } from '../../coordinator/nats/requestGate.ts';

/** An operation that stays in flight until released. */
function pending(): { promise: Promise<void>; release: () => void; fail: (e: Error) => void } {
  let release = () => {};
  let fail: (e: Error) => void = () => {};
  const promise = new Promise<void>((resolve, reject) => {
    release = resolve;
    fail = reject;
  });
  return { promise, release, fail };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

test('at most `limit` operations run at once; the rest start in arrival order', async () => {
  const gate = new RequestGate(2);
  const ops = Array.from({ length: 5 }, () => pending());
  const started: number[] = [];
  const runs = ops.map((op, i) =>
    gate.run(async () => {
      started.push(i);
      await op.promise;
      return i;
    }),
  );
  await turn();
  assert.deepEqual(started, [0, 1]);
  assert.equal(gate.queued, 3);
  ops[1]!.release();
  await turn();
  await turn();
  assert.deepEqual(started, [0, 1, 2]);
  for (const op of ops) op.release();
  assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3, 4]);
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
});

test('a failed operation frees its place and its error reaches the caller', async () => {
  const gate = new RequestGate(1);
  const first = pending();
  const failing = gate.run(() => first.promise);
  let secondRan = false;
  const second = gate.run(async () => {
    secondRan = true;
  });
  first.fail(new Error('KV unavailable'));
  await assert.rejects(failing, /KV unavailable/);
  await second;
  assert.equal(secondRan, true);
});

test('a waiter resumes in a later event-loop turn, not in the releasing microtask chain', async () => {
  const gate = new RequestGate(1);
  const first = pending();
  const running = gate.run(() => first.promise);
  let waiterStarted = false;
  const waiter = gate.run(async () => {
    waiterStarted = true;
  });
  first.release();
  await running;
  for (let i = 0; i < 20; i++) await Promise.resolve(); // every microtask of this turn has run
  assert.equal(waiterStarted, false);
  await turn();
  await waiter;
  assert.equal(waiterStarted, true);
});

test('limits below 1 are refused', () => {
  assert.throws(() => new RequestGate(0), /positive integer/);
});
