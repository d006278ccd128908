import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ThreadPool } from '../../worker/threadPool.ts';

test('warmUp starts the backend once in every thread of the pool, each on its own thread', async () => {
  const pool = new ThreadPool(3);
  try {
    const warmed = await pool.warmUp('wasm');
    assert.equal(warmed.length, 3);
    assert.deepEqual(
      warmed.map((w) => w.backend),
      ['wasm', 'wasm', 'wasm'],
    );
    assert.equal(new Set(warmed.map((w) => w.threadId)).size, 3, `threads: ${JSON.stringify(warmed)}`);
  } finally {
    await pool.close();
  }
});

test('a backend that cannot start rejects the warm-up, naming it; the threads stay usable', async () => {
  const pool = new ThreadPool(2);
  try {
    await assert.rejects(pool.warmUp('tensorflow-gpu'), /tensorflow|tfjs-node/i);
    const warmed = await pool.warmUp('cpu');
    assert.deepEqual(
      warmed.map((w) => w.backend),
      ['cpu', 'cpu'],
    );
  } finally {
    await pool.close();
  }
});
