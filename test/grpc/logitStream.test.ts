import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { after, before, test } from 'node:test';
import { connectCoordinator } from '../../cluster/client/coordinatorConnection.ts';
import { connectDataPlane, type DataPlaneConnection } from '../../cluster/client/dataPlaneConnection.ts';
import type { LogitArray } from '../../cluster/api/apiTypes.ts';
import { LogitAssembler, logitChunks } from '../../cluster/grpc/logitStream.ts';
import { CHUNK_BYTES } from '../../cluster/grpc/messageLimits.ts';
import { ChorusError, NonRetryableError } from '../../core/errors.ts';
import type { DataPlaneClient } from '../../proto/generated/chorus/v1/DataPlane.ts';
import type { LogitChunk, LogitChunk__Output } from '../../proto/generated/chorus/v1/LogitChunk.ts';
import { startTestServer, type TestServer } from './fixtures/fakeHandlers.ts';
import { bytesOf, patterned, putRaw, rawDataPlane } from './fixtures/rawClients.ts';

const MAX_FLOATS = 16 * 1024 * 1024; // 64 MiB of floats: the 40 MiB array fits, a bigger shape does not

let t: TestServer;
let plane: DataPlaneConnection;
let raw: DataPlaneClient;

before(async () => {
  t = await startTestServer({}, { maxLogitFloats: MAX_FLOATS });
  plane = connectDataPlane(t.server.address);
  raw = rawDataPlane(t.server.address);
});

after(async () => {
  plane.close();
  raw.close();
  await t.server.close();
});

const ids = { jobId: 'job-1', taskId: 'predict:mlp-0', dispatchId: 'd-1' };

function array(key: string, rows: number, cols: number, seed = 1): LogitArray {
  return { ...ids, key, split: 'test', rows, cols, values: patterned(rows * cols, seed) };
}

test('a 40 MiB logit array streams in CHUNK_BYTES chunks and reassembles byte for byte', async () => {
  const a = array('predictions/members/mlp-0/test.f32', 1_048_576, 10, 7); // 10 Mi floats = 40 MiB
  const reply = await plane.putLogits(a);
  assert.deepEqual(reply, { keys: [a.key], floats: a.values.length });
  const got = t.recorded.logits.at(-1);
  assert.ok(got);
  assert.deepEqual({ ...got, values: undefined }, { ...a, values: undefined });
  assert.ok(bytesOf(got.values).equals(bytesOf(a.values)), 'the reassembled bytes differ');
  assert.equal([...logitChunks(a)].length, Math.ceil(a.values.byteLength / CHUNK_BYTES));
});

test('one stream carries several arrays; each reaches the handler whole', async () => {
  const before = t.recorded.logits.length;
  const arrays = [
    array('predictions/members/m/validation.f32', 300, 10, 2),
    array('predictions/members/m/test.f32', 500, 10, 3),
  ];
  const reply = await plane.putLogits(arrays);
  assert.deepEqual(
    reply.keys,
    arrays.map((a) => a.key),
  );
  const got = t.recorded.logits.slice(before);
  assert.equal(got.length, 2);
  for (const [i, a] of arrays.entries()) assert.ok(bytesOf(got[i]!.values).equals(bytesOf(a.values)));
});

test("an empty stream (the workers' start-up probe) is answered with nothing, and nothing reaches the handler", async () => {
  const before = t.recorded.logits.length;
  assert.deepEqual(await plane.putLogits([]), { keys: [], floats: 0 });
  assert.equal(t.recorded.logits.length, before);
});

test('an empty array (0 rows) is one chunk and arrives empty', async () => {
  const a = array('predictions/empty.f32', 0, 10);
  assert.equal([...logitChunks(a)].length, 1);
  assert.deepEqual(await plane.putLogits(a), { keys: [a.key], floats: 0 });
  assert.equal(t.recorded.logits.at(-1)?.values.length, 0);
});

test('the server reuses an array once its handler resolved; the reuse carries only the new floats', async () => {
  const seen: { buffer: ArrayBufferLike; copy: Float32Array }[] = [];
  let failNext = false;
  const own = await startTestServer({
    onLogits: async (logits) => {
      seen.push({ buffer: logits.values.buffer, copy: logits.values.slice() });
      if (failNext) throw new Error('store down');
    },
  });
  const c = connectDataPlane(own.server.address);
  try {
    const first = array('predictions/a/test.f32', 100_000, 10, 11); // 1 M floats: pooled
    const second = array('predictions/b/test.f32', 100_000, 10, 12);
    await c.putLogits(first);
    await c.putLogits(second);
    assert.equal(seen[1]!.buffer, seen[0]!.buffer, 'the second array did not reuse the first one');
    assert.ok(bytesOf(seen[1]!.copy).equals(bytesOf(second.values)));

    // A handler that failed may still be reading the array (a store write in flight): not reused.
    failNext = true;
    await assert.rejects(c.putLogits(first));
    failNext = false;
    await c.putLogits(second);
    assert.notEqual(seen[3]!.buffer, seen[2]!.buffer, 'an array whose handler failed was reused');
    assert.ok(bytesOf(seen[3]!.copy).equals(bytesOf(second.values)));
  } finally {
    c.close();
    await own.server.close();
  }
});

test('the client refuses an array whose values do not fill its shape, before sending', async () => {
  await assert.rejects(
    plane.putLogits({ ...array('k', 2, 3), rows: 3 }),
    /6 values do not fill the shape \[3, 3\]/,
  );
});

/** A stream of `floats` floats in `perChunk`-float chunks, to break in one place; `shape` may lie. */
function chunks(floats: number, perChunk: number, shape?: [number, number]): LogitChunk[] {
  const values = patterned(floats);
  const good = [
    ...logitChunks({ ...ids, key: 'k.f32', split: 'test', rows: floats / 2, cols: 2, values }, perChunk * 4),
  ];
  return shape ? good.map((c) => ({ ...c, rows: shape[0], cols: shape[1] })) : good;
}

const malformed: [string, () => LogitChunk[], RegExp][] = [
  [
    'a gap in offsets',
    () => {
      const c = chunks(40, 10);
      c.splice(1, 1);
      return c;
    },
    /starts at float 20, expected 10/,
  ],
  [
    'a repeated chunk',
    () => {
      const c = chunks(40, 10);
      return [c[0]!, c[0]!, ...c.slice(1)];
    },
    /starts at float 0, expected 10/,
  ],
  [
    'a shape that changes mid-stream',
    () => chunks(40, 10).map((c, i) => (i === 2 ? { ...c, rows: 10, cols: 4 } : c)),
    /declares shape \[10, 4\].*first chunk declared \[20, 2\]/,
  ],
  [
    'bytes not a multiple of 4',
    () => chunks(40, 10).map((c, i) => (i === 1 ? { ...c, data: Buffer.alloc(39) } : c)),
    /has 39 bytes, not a multiple of 4/,
  ],
  [
    'more floats than the shape holds',
    () => chunks(40, 10, [15, 2]),
    /ends at float 40, past the declared 15 x 2 = 30/,
  ],
  [
    'fewer floats than the shape holds',
    () => chunks(40, 10, [25, 2]),
    /last chunk of k\.f32 .* ends at float 40, but the array holds 50/,
  ],
  [
    'no last chunk',
    () => chunks(40, 10).slice(0, 3),
    /stream ended before the last chunk of k\.f32 .*30 of 40 floats/,
  ],
  [
    'a first chunk not at offset 0',
    () => chunks(40, 10).slice(1),
    /first chunk of k\.f32 .* starts at float 10, expected 0/,
  ],
  [
    'a shape over the limit',
    () => [
      {
        ...ids,
        key: 'huge',
        split: 'test',
        rows: 100_000_000,
        cols: 10,
        offset: 0,
        data: Buffer.alloc(8),
        last: false,
      },
    ],
    /declares shape \[100000000, 10\] = 1000000000 floats.*limit of 16777216 floats/,
  ],
  [
    'many arrays in progress, together over the limit',
    () =>
      [0, 1, 2].map((i) => ({
        ...ids,
        key: `part-${i}`,
        split: 'test',
        rows: 2_000_000,
        cols: 3,
        offset: 0,
        data: Buffer.alloc(4),
        last: false,
      })),
    /part-2 .*with the arrays in progress that is over the coordinator's limit/,
  ],
  [
    'a chunk without ids',
    () => chunks(8, 4).map((c) => ({ ...c, dispatchId: '' })),
    /needs job_id, task_id, dispatch_id and key/,
  ],
  [
    'an array sent twice',
    () => [...chunks(8, 4), ...chunks(8, 4)],
    /was already received whole in this stream/,
  ],
];

for (const [name, make, pattern] of malformed) {
  test(`PutLogits with ${name} → INVALID_ARGUMENT, and the server keeps serving`, async () => {
    const got = await putRaw(raw, make());
    assert.equal(got.code, status.INVALID_ARGUMENT, got.details);
    assert.match(got.details, /^bad logit stream: /);
    assert.match(got.details, pattern);
    assert.equal(t.internalErrors.length, 0);
    const a = array('after-bad-stream.f32', 10, 3, 9);
    assert.deepEqual((await plane.putLogits(a)).keys, [a.key]);
  });
}

test('the data-plane wrapper reports a refused stream as a NonRetryableError', async () => {
  const big = { ...array('k', 1, 1), rows: 5000, cols: 5000, values: new Float32Array(25_000_000) };
  await assert.rejects(
    plane.putLogits(big),
    (e: unknown) => e instanceof NonRetryableError && /limit of 16777216 floats/.test(e.message),
  );
});

test('a message over the receive limit is refused (RESOURCE_EXHAUSTED) and the server keeps serving', async () => {
  // A client that allows itself 64 MiB messages sends one 17 MiB chunk; the server allows 16 MiB.
  const greedy = rawDataPlane(t.server.address, 64 * 1024 * 1024);
  try {
    const floats = (17 * 1024 * 1024) / 4;
    const got = await putRaw(greedy, [
      {
        ...ids,
        key: 'big',
        split: 'test',
        rows: floats,
        cols: 1,
        offset: 0,
        data: Buffer.alloc(floats * 4),
        last: true,
      },
    ]);
    assert.equal(got.code, status.RESOURCE_EXHAUSTED, got.details);
    assert.match(got.details, /larger than max/i);
    assert.deepEqual(t.internalErrors, [], 'a refused message is not a server fault');
  } finally {
    greedy.close();
  }
  const a = array('after-big.f32', 4, 4);
  assert.deepEqual((await plane.putLogits(a)).keys, [a.key]);
});

test('a worker that gives up mid-stream (cancel) is no server fault; nothing reaches the handler', async () => {
  const before = t.recorded.logits.length;
  const call = raw.PutLogits(() => {});
  call.on('error', () => {});
  call.write(chunks(40, 10)[0]!);
  await new Promise((r) => setTimeout(r, 50));
  call.cancel();
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(t.internalErrors, []);
  assert.equal(t.recorded.logits.length, before);
  const a = array('after-cancel.f32', 3, 3);
  assert.deepEqual((await plane.putLogits(a)).keys, [a.key]);
});

test('a reply over the send limit fails that call cleanly, not the server', async () => {
  const own = await startTestServer({
    getReport: async () => ({ json: '{}', markdown: 'x'.repeat(17 * 1024 * 1024) }),
  });
  const c = connectCoordinator(own.server.address);
  try {
    await assert.rejects(
      c.getReport('job-1'),
      (e: unknown) => e instanceof ChorusError && /RESOURCE_EXHAUSTED/.test(e.message),
    );
    assert.deepEqual(await c.getJob('job-1').then((j) => j.jobId), 'job-1');
  } finally {
    c.close();
    await own.server.close();
  }
});

test('property: any chunking of any array reassembles exactly (assembler alone)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 1, max: 7 }),
      fc.integer({ min: 1, max: 50 }),
      (rows, cols, perChunk) => {
        const a = array('p.f32', rows, cols, rows * 31 + cols);
        const assembler = new LogitAssembler({ maxFloats: 1000 });
        let whole: LogitArray | undefined;
        for (const c of logitChunks(a, perChunk * 4)) {
          assert.equal(whole, undefined, 'completed before the last chunk');
          whole = assembler.add(c as LogitChunk__Output);
        }
        assembler.finish();
        assert.ok(whole);
        assert.ok(bytesOf(whole.values).equals(bytesOf(a.values)));
        assert.equal(assembler.floats, rows * cols);
      },
    ),
    { numRuns: 200 },
  );
});

test('chunks stay within CHUNK_BYTES and carry float offsets', () => {
  const a = array('c.f32', 1000, 1000);
  const got = [...logitChunks(a)];
  assert.ok(got.every((c) => (c.data as Buffer).length <= CHUNK_BYTES));
  assert.deepEqual(
    got.map((c) => c.offset),
    got.map((_, i) => i * (CHUNK_BYTES / 4)),
  );
  assert.deepEqual(
    got.map((c) => c.last),
    got.map((_, i) => i === got.length - 1),
  );
  assert.throws(
    () => new LogitAssembler().add({ ...(got[0] as LogitChunk__Output), offset: 5 }),
    NonRetryableError,
  );
});
