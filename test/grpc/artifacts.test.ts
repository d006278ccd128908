import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { fetchArtifacts, localPath, type FetchProgress } from '../../cluster/client/fetchArtifacts.ts';
import {
  connectCoordinator,
  type CoordinatorConnection,
} from '../../cluster/client/coordinatorConnection.ts';
import { JobNotDoneError, NotFoundError } from '../../cluster/errors.ts';
import { sha256Hex } from '../../cluster/grpc/artifactStream.ts';
import { ChorusError } from '../../core/errors.ts';
import { artifactFiles, startTestServer, type TestServer } from './fixtures/fakeHandlers.ts';

/** GetArtifacts over real gRPC on loopback, and the client library's resumable download. */

let t: TestServer;
let client: CoordinatorConnection;

before(async () => {
  t = await startTestServer();
  client = connectCoordinator(t.server.address);
});

after(async () => {
  client.close();
  await t.server.close();
});

async function tempDir(tc: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-fetch-'));
  tc.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const paths = Object.keys(artifactFiles).sort();

test('the list gives every file with its size and SHA-256, and sends no bytes', async () => {
  const reads = t.recorded.artifactReads.length;
  const files = await client.listArtifacts('job-1');
  assert.deepEqual(
    files.map((f) => f.path),
    paths,
  );
  for (const f of files) {
    const bytes = artifactFiles[f.path]!;
    assert.equal(f.size, bytes.byteLength);
    assert.equal(f.sha256, sha256Hex(bytes));
  }
  assert.equal(t.recorded.artifactReads.length, reads);
});

test('fetch writes every file as listed, reports progress, and a rerun downloads only what is not whole', async (tc) => {
  const out = join(await tempDir(tc), 'run');
  const seen: FetchProgress[] = [];
  const first = await fetchArtifacts(client, 'job-1', out, { onProgress: (p) => seen.push(p) });
  assert.equal(first.wanted.length, paths.length);
  for (const path of paths) {
    assert.deepEqual(new Uint8Array(await readFile(join(out, path))), artifactFiles[path], path);
  }
  const total = paths.reduce((n, p) => n + artifactFiles[p]!.byteLength, 0);
  assert.equal(seen.at(-1)?.bytesDone, total);
  assert.ok(
    seen.every((p, i) => i === 0 || p.bytesDone >= seen[i - 1]!.bytesDone),
    'progress only grows',
  );
  assert.ok(seen.length > paths.length, 'the 9 MB file reports progress in pieces');
  const leftovers = (await readdir(out, { recursive: true })).filter((n) => String(n).endsWith('.part'));
  assert.deepEqual(leftovers, []);

  // Rerun: everything is whole, nothing is read on the server.
  const reads = t.recorded.artifactReads.length;
  const again = await fetchArtifacts(client, 'job-1', out);
  assert.deepEqual(again.wanted, []);
  assert.equal(again.kept.length, paths.length);
  assert.equal(t.recorded.artifactReads.length, reads);

  // A truncated file, a file of the right size with one byte changed, and a deleted one are fetched again.
  const weights = 'models/members/mlp-0/weights.bin';
  await truncate(join(out, weights), 1000);
  const changed = Buffer.from(artifactFiles['report.md']!);
  changed[0] = changed[0]! ^ 1;
  await writeFile(join(out, 'report.md'), changed);
  await unlink(join(out, 'report.html'));
  const third = await fetchArtifacts(client, 'job-1', out);
  assert.deepEqual(
    third.wanted.map((f) => f.path),
    ['models/members/mlp-0/weights.bin', 'report.html', 'report.md'],
  );
  assert.deepEqual(t.recorded.artifactReads.slice(reads), [
    'models/members/mlp-0/weights.bin',
    'report.html',
    'report.md',
  ]);
  for (const path of paths) {
    assert.deepEqual(new Uint8Array(await readFile(join(out, path))), artifactFiles[path], path);
  }
});

test('unknown jobs and jobs not done are refused clearly; nothing is written', async (tc) => {
  const out = join(await tempDir(tc), 'none');
  await assert.rejects(fetchArtifacts(client, 'nope', out), (e: unknown) => e instanceof NotFoundError);
  await assert.rejects(
    fetchArtifacts(client, 'running-1', out),
    (e: unknown) => e instanceof JobNotDoneError && /running-1 is running/.test(e.message),
  );
  await assert.rejects(readdir(out), 'no folder made');
  // Asking for a file the job does not have.
  await assert.rejects(
    (async () => {
      for await (const _ of client.getArtifacts('job-1', { paths: ['checkpoints/x'] })) void _;
    })(),
    (e: unknown) => e instanceof NotFoundError && /has no file "checkpoints\/x"/.test(e.message),
  );
});

test('a coordinator that sends a path leaving the folder is refused before anything is written', async (tc) => {
  const evil = await startTestServer({
    listArtifacts: async () => [{ path: '../escaped.txt', size: 1, sha256: sha256Hex(new Uint8Array(1)) }],
    readArtifact: async () => new Uint8Array(1),
  });
  tc.after(() => evil.server.close());
  const c = connectCoordinator(evil.server.address);
  tc.after(() => c.close());
  const dir = await tempDir(tc);
  const out = join(dir, 'out');
  await assert.rejects(
    fetchArtifacts(c, 'job-1', out),
    (e: unknown) => e instanceof ChorusError && /unsafe file path/.test(e.message),
  );
  assert.deepEqual(await readdir(dir), []);
  assert.equal(localPath(out, { path: 'a/b', size: 0, sha256: '' }), join(out, 'a', 'b'));
});
