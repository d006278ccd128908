import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Float32Pool } from '../../cluster/grpc/float32Pool.ts';

const options = { minFloats: 4, maxFloats: 100, idleMs: 60_000 };

test('an array given back is taken again for the same length, and only for that length', () => {
  const pool = new Float32Pool(options);
  const a = pool.take(10);
  pool.give(a);
  assert.equal(pool.idleFloats, 10);
  assert.notEqual(pool.take(12), a, 'another length gets a new array');
  assert.equal(pool.take(10), a);
  assert.equal(pool.idleFloats, 0);
  assert.notEqual(pool.take(10), a, 'a taken array is not lent twice');
});

test('small arrays, views and arrays over the cap are not kept', () => {
  const pool = new Float32Pool(options);
  pool.give(new Float32Array(3));
  pool.give(new Float32Array(20).subarray(0, 10));
  pool.give(new Float32Array(101));
  assert.equal(pool.idleFloats, 0);
});

test('giving the same array twice keeps it once', () => {
  const pool = new Float32Pool(options);
  const a = new Float32Array(10);
  pool.give(a);
  pool.give(a);
  assert.equal(pool.idleFloats, 10);
  assert.equal(pool.take(10), a);
  assert.notEqual(pool.take(10), a);
});

test('over the cap, the oldest idle arrays are dropped first', () => {
  const pool = new Float32Pool(options);
  const [a, b, c] = [new Float32Array(40), new Float32Array(41), new Float32Array(42)];
  pool.give(a);
  pool.give(b);
  pool.give(c); // 40 + 41 + 42 > 100: a goes
  assert.equal(pool.idleFloats, 83);
  assert.notEqual(pool.take(40), a);
  assert.equal(pool.take(41), b);
  assert.equal(pool.take(42), c);
});

test('idle arrays are dropped idleMs after the last one came back, and by clear()', async () => {
  // Wide margins: a loaded machine may wake a sleep late by tens of milliseconds.
  const pool = new Float32Pool({ ...options, idleMs: 300 });
  pool.give(new Float32Array(10));
  await sleep(150);
  pool.give(new Float32Array(11)); // restarts the idle clock: 300 ms from now, not from the first
  await sleep(200);
  assert.equal(pool.idleFloats, 21);
  await sleep(400);
  assert.equal(pool.idleFloats, 0);
  pool.give(new Float32Array(10));
  pool.clear();
  assert.equal(pool.idleFloats, 0);
});
