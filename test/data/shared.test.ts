import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { Dataset } from '../../core/data/dataset.ts';
import { isShared, toShared } from '../../core/data/shared.ts';

const plain: Dataset = {
  x: Float32Array.from([1, 2, 3, 4]),
  y: Int32Array.from([0, 1]),
  count: 2,
  sampleShape: [2],
  classes: 2,
};

test('toShared copies into SharedArrayBuffers; idempotent', () => {
  assert.equal(isShared(plain), false);
  const s = toShared(plain);
  assert.ok(isShared(s));
  assert.ok(s.x.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(Array.from(s.x), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(s.y), [0, 1]);
  assert.deepEqual([s.count, s.sampleShape, s.classes], [2, [2], 2]);
  assert.equal(toShared(s), s);
  s.x[0] = 9;
  assert.equal(plain.x[0], 1, 'a copy, not a view of the original');
});

test('a worker thread reads and writes the same memory (no copy on postMessage)', async () => {
  const s = toShared(plain);
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.once('message', (ds) => { const sum = ds.x.reduce((a, b) => a + b, 0); ds.x[3] = 42; parentPort.postMessage(sum); });`,
    { eval: true },
  );
  worker.postMessage(s);
  const [sum] = (await once(worker, 'message')) as [number];
  await worker.terminate();
  assert.equal(sum, 10);
  assert.equal(s.x[3], 42);
});
