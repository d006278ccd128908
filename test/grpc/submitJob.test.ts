import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { after, before, test } from 'node:test';
import {
  connectCoordinator,
  type CoordinatorConnection,
} from '../../cluster/client/coordinatorConnection.ts';
import { CHUNK_BYTES } from '../../cluster/grpc/messageLimits.ts';
import { submitChunks } from '../../cluster/grpc/submitStream.ts';
import { NonRetryableError } from '../../core/errors.ts';
import type { CoordinatorClient } from '../../proto/generated/chorus/v1/Coordinator.ts';
import type { SubmitJobChunk } from '../../proto/generated/chorus/v1/SubmitJobChunk.ts';
import { startTestServer, workers, type TestServer } from './fixtures/fakeHandlers.ts';
import { rawCoordinator, submitRaw } from './fixtures/rawClients.ts';

let t: TestServer;
let client: CoordinatorConnection;
let raw: CoordinatorClient;

before(async () => {
  t = await startTestServer({}, { maxUploadBytes: 8 * 1024 * 1024 });
  client = connectCoordinator(t.server.address);
  raw = rawCoordinator(t.server.address);
});

after(async () => {
  client.close();
  raw.close();
  await t.server.close();
});

test('a 5 MiB data file (plus a small and an empty one) arrives intact, in chunks', async () => {
  const big = randomBytes(5 * 1024 * 1024 + 123);
  const small = Buffer.from('x,y\n1,2\n');
  const files = [
    { path: 'data/train.csv', bytes: big },
    { path: '/abs/labels.idx', bytes: small },
    { path: 'empty.npy', bytes: new Uint8Array(0) },
  ];
  const messages = [...submitChunks({ jobText: 'j', fileName: 'f', fresh: false, files })];
  // header + 6 chunks of the big file + 1 + 1
  assert.equal(messages.length, 1 + Math.ceil(big.length / CHUNK_BYTES) + 2);

  const reply = await client.submitJob('name: demo\n', 'demo.yaml', files);
  assert.equal(reply.jobId, 'job-1');
  const got = t.recorded.submitted.at(-1);
  assert.ok(got);
  assert.deepEqual(
    got.files.map((f) => f.path),
    files.map((f) => f.path),
  );
  assert.ok(Buffer.from(got.files[0]!.bytes).equals(big), 'the 5 MiB file differs');
  assert.ok(Buffer.from(got.files[1]!.bytes).equals(small));
  assert.equal(got.files[2]!.bytes.byteLength, 0);
});

const header = (files: { path: string; size: number }[] = [{ path: 'a.csv', size: 8 }]): SubmitJobChunk => ({
  header: { fileName: 'j.yaml', jobText: 'name: x', options: { fresh: false }, files },
});
const piece = (path: string, offset: number, data: Buffer, last: boolean): SubmitJobChunk => ({
  file: { path, offset, data, last },
});

const malformed: [string, SubmitJobChunk[], RegExp][] = [
  [
    'a file chunk before the header',
    [piece('a.csv', 0, Buffer.alloc(8), true)],
    /first message must be the header/,
  ],
  ['two headers', [header(), header()], /a second header/],
  ['an undeclared file', [header(), piece('b.csv', 0, Buffer.alloc(8), true)], /did not declare/],
  [
    'a gap between chunks',
    [header(), piece('a.csv', 0, Buffer.alloc(4), false), piece('a.csv', 5, Buffer.alloc(3), true)],
    /starts at byte 5, expected 4/,
  ],
  [
    'more bytes than declared',
    [header(), piece('a.csv', 0, Buffer.alloc(9), true)],
    /past its declared size 8/,
  ],
  [
    'fewer bytes than declared',
    [header(), piece('a.csv', 0, Buffer.alloc(7), true)],
    /ends at byte 7, but it declared 8/,
  ],
  [
    'a file never finished',
    [header(), piece('a.csv', 0, Buffer.alloc(4), false)],
    /ended before the last chunk of a\.csv/,
  ],
  ['no header at all', [], /ended without a header/],
  ['an empty job text', [{ header: { jobText: '  ', files: [] } }], /job text is empty/],
  [
    'over the upload limit',
    [
      header([
        { path: 'a', size: 5e6 },
        { path: 'b', size: 5e6 },
      ]),
    ],
    /upload limit/,
  ],
];

for (const [name, messages, pattern] of malformed) {
  test(`SubmitJob with ${name} → INVALID_ARGUMENT, and the server keeps serving`, async () => {
    const before = t.recorded.submitted.length;
    const got = await submitRaw(raw, messages);
    assert.equal(got.code, status.INVALID_ARGUMENT, got.details);
    assert.match(got.details, /^bad SubmitJob stream: /);
    assert.match(got.details, pattern);
    assert.equal(t.recorded.submitted.length, before, 'a bad stream must not reach the handler');
    assert.deepEqual(await client.listWorkers(), workers);
  });
}

test('a priority travels with the submission; an unknown one is INVALID_ARGUMENT naming the field', async () => {
  await client.submitJob('name: demo\n', 'demo.yaml', [], { priority: 'low' });
  assert.equal(t.recorded.submitted.at(-1)?.priority, 'low');
  await client.submitJob('name: demo\n', 'demo.yaml', []);
  assert.equal(t.recorded.submitted.at(-1)?.priority, undefined, "none given: the job file's");
  const before = t.recorded.submitted.length;
  const got = await submitRaw(raw, [
    {
      header: {
        fileName: 'j.yaml',
        jobText: 'name: x',
        options: { fresh: false, priority: 'urgent' },
        files: [],
      },
    },
  ]);
  assert.equal(got.code, status.INVALID_ARGUMENT, got.details);
  assert.match(got.details, /^priority: expected one of "high", "normal", "low", got "urgent"/);
  assert.equal(t.recorded.submitted.length, before);
});

test('the client wrapper turns a refused upload into a NonRetryableError', async () => {
  const files = [{ path: 'huge.bin', bytes: new Uint8Array(9 * 1024 * 1024) }];
  await assert.rejects(client.submitJob('name: x', 'x.yaml', files), (e: unknown) => {
    assert.ok(e instanceof NonRetryableError);
    assert.match(e.message, /over the coordinator's upload limit/);
    return true;
  });
});
