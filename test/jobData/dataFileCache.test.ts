import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { DataFileCache } from '../../cluster/jobData/dataFileCache.ts';
import { defaultWorkerFolder, removeEndedWorkerFolders } from '../../cluster/jobData/endedWorkerFolders.ts';
import { uploadKeys, withUploadedPaths } from '../../cluster/jobData/jobDataFiles.ts';
import { PreparedDataCache } from '../../cluster/jobData/preparedDataCache.ts';
import { FsArtifactStore } from '../../core/artifacts/fsArtifactStore.ts';
import { DatasetError } from '../../core/errors.ts';
import { parseJobText } from '../../core/spec/loadJob.ts';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-cache-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const CSV = 'a,b,label\n1,2,0\n3,4,1\n5,6,1\n7,8,0\n9,1,1\n2,2,0\n';

/** A submitted job as the coordinator keeps it, its files stored under their upload keys. */
async function submitted(dir: string, name: string, files: Record<string, string>) {
  const paths = Object.keys(files);
  const jobText = `
name: ${name}
data:
  train: { format: csv, path: ${paths[0]} }
  test: { format: csv, path: ${paths[1] ?? paths[0]} }
  validationSplit: 0.25
members: [{ name: m, train: { epochs: 1 } }]
`;
  const parsed = parseJobText(jobText);
  const keys = uploadKeys(parsed);
  const store = new FsArtifactStore(join(dir, 'store', name));
  for (const [path, text] of Object.entries(files)) await store.put(keys.get(path) ?? '', Buffer.from(text));
  return { record: { job: withUploadedPaths(parsed, keys), jobText }, store };
}

async function modeOf(path: string): Promise<number> {
  return (await lstat(path)).mode & 0o777;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

test('cached copies are 0600 files in 0700 folders, whatever the umask and an old folder mode', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'cache');
  await mkdir(root, { mode: 0o755 });
  await chmod(root, 0o755); // as an earlier version left it
  const previous = process.umask(0);
  t.after(() => process.umask(previous));
  const { record, store } = await submitted(dir, 'private', { 'data/train.csv': CSV });
  const cache = new PreparedDataCache(root, { sweepMs: 0 });
  const data = await cache.get('private-1', record, store);
  assert.equal(data.train.count + data.validation.count, 6);
  assert.equal(await modeOf(root), 0o700);
  const paths = await filesUnder(root);
  assert.ok(paths.length >= 3, paths.join('\n'));
  for (const path of paths) {
    const info = await lstat(path);
    assert.equal(info.mode & 0o777, info.isDirectory() ? 0o700 : 0o600, path);
  }
  assert.deepEqual(
    paths.filter((p) => !(p.endsWith('.csv') || !p.includes('.'))),
    [],
    'no temporary files left',
  );
  await cache.drop('private-1');
  assert.deepEqual(await readdir(root), [], 'dropped: the job folder is gone');
  await cache.close();
});

test('a cache folder that is a link or belongs to someone else is refused', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'elsewhere'));
  await symlink(join(dir, 'elsewhere'), join(dir, 'linked'));
  const { record, store } = await submitted(dir, 'linked', { 'train.csv': CSV });
  const cache = new DataFileCache(join(dir, 'linked'));
  // The copy is refused, not the job: the data is read from memory instead, and nothing lands there.
  const files = await cache.files('j', record.job, store, (k) => k);
  assert.equal((await files.read('data/0-train.csv')).toString(), CSV);
  assert.deepEqual(await readdir(join(dir, 'elsewhere')), []);
  assert.equal(cache.bytes, 0);
  // Another (non-root) user's folder: only root can make one here to try.
  if (process.getuid?.() === 0) {
    await mkdir(join(dir, 'theirs'));
    await chown(join(dir, 'theirs'), 4242, 4242);
    const theirs = new DataFileCache(join(dir, 'theirs'));
    const got = await theirs.files('j', record.job, store, (k) => k);
    assert.equal((await got.read('data/0-train.csv')).toString(), CSV);
    assert.deepEqual(await readdir(join(dir, 'theirs')), []);
  }
});

test('errors about a cached file name it as the job file does, never by its cache path', async (t) => {
  const dir = await tempDir(t);
  const { record, store } = await submitted(dir, 'named', { 'inputs/bad.csv': 'a,b,label\n1,2,0\n3,1\n' });
  const root = join(dir, 'cache');
  const cache = new PreparedDataCache(root, { sweepMs: 0 });
  await assert.rejects(cache.get('named-1', record, store), (err: unknown) => {
    assert.ok(err instanceof DatasetError, String(err));
    assert.equal(
      err.message,
      'inputs/bad.csv: line 3: ragged row, expected 3 fields as in the header, got 2',
    );
    return true;
  });
  await cache.close();
  assert.deepEqual(await readdir(root), []);
});

test('a job unused for the retention period is removed, and so are folders an earlier process left', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'cache');
  let now = Date.now();
  const cache = new PreparedDataCache(root, { sweepMs: 0, retentionMs: 60_000, now: () => now });
  const a = await submitted(dir, 'a', { 'a.csv': CSV });
  const b = await submitted(dir, 'b', { 'b.csv': CSV });
  await cache.get('a-1', a.record, a.store);
  await cache.get('b-1', b.record, b.store);
  await mkdir(join(root, 'left-behind', 'data'), { recursive: true });
  await writeFile(join(root, 'left-behind', 'data', '0-x.csv'), CSV);
  const old = new Date(Date.now() - 2 * 3600_000);
  await utimes(join(root, 'left-behind'), old, old);
  await mkdir(join(root, 'recent-other-process'));
  now += 50_000;
  await cache.get('b-1', b.record, b.store); // b is in use
  now += 20_000;
  const recent = new Date(now);
  await utimes(join(root, 'recent-other-process'), recent, recent);
  await cache.sweep();
  assert.deepEqual((await readdir(root)).sort(), ['b-1', 'recent-other-process']);
  assert.deepEqual(cache.jobs(), ['b-1']);
  await cache.close();
});

test('ended jobs are removed by the sweep (the owner tells which have ended)', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'cache');
  const over = new Set<string>();
  const cache = new PreparedDataCache(root, { sweepMs: 0, isJobOver: async (id) => over.has(id) });
  const a = await submitted(dir, 'a', { 'a.csv': CSV });
  const b = await submitted(dir, 'b', { 'b.csv': CSV });
  await cache.get('a-1', a.record, a.store);
  await cache.get('b-1', b.record, b.store);
  over.add('a-1');
  await cache.sweep();
  assert.deepEqual(await readdir(root), ['b-1']);
  await cache.close();
  assert.deepEqual(await readdir(root), [], 'close removes everything');
});

test('the total size is bounded: least recently used jobs go first, a job too big for it stays in memory', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'cache');
  const size = Buffer.byteLength(CSV);
  let now = 0;
  const files = new DataFileCache(root, { maxBytes: 2 * size + 10, now: () => ++now });
  const jobs = await Promise.all(['a', 'b', 'c'].map((n) => submitted(dir, n, { [`${n}.csv`]: CSV })));
  const [a, b, c] = jobs as [(typeof jobs)[0], (typeof jobs)[0], (typeof jobs)[0]];
  await files.files('a-1', a.record.job, a.store, (k) => k);
  await files.files('b-1', b.record.job, b.store, (k) => k);
  await files.files('a-1', a.record.job, a.store, (k) => k); // a used again: b is now the oldest
  await files.files('c-1', c.record.job, c.store, (k) => k);
  assert.deepEqual((await readdir(root)).sort(), ['a-1', 'c-1']);
  assert.equal(files.bytes, 2 * size);

  const big = await submitted(dir, 'big', { 'big.csv': CSV.repeat(3) });
  const served = await files.files('big-1', big.record.job, big.store, (k) => k);
  assert.equal((await served.read('data/0-big.csv')).toString(), CSV.repeat(3));
  assert.deepEqual((await readdir(root)).sort(), ['a-1', 'c-1'], 'not written: over the bound on its own');
  assert.ok(files.bytes <= files.maxBytes);
});

test('a job id that is not a plain name never becomes a path', async (t) => {
  const dir = await tempDir(t);
  const { record, store } = await submitted(dir, 'x', { 'x.csv': CSV });
  const cache = new DataFileCache(join(dir, 'cache'));
  await assert.rejects(
    cache.files('../escape', record.job, store, (k) => k),
    /not a job id/,
  );
  await cache.remove('../..');
  assert.ok((await readdir(dir)).includes('store'), 'nothing outside the cache was touched');
});

test('the default folders of workers that no longer run are removed, no others', async (t) => {
  const dir = await tempDir(t);
  const ended = spawnSync(process.execPath, ['-e', '']).pid;
  assert.ok(ended);
  const folders = {
    ended: defaultWorkerFolder(dir, ended),
    self: defaultWorkerFolder(dir),
    parent: defaultWorkerFolder(dir, process.ppid),
    other: join(dir, 'chorus-worker-notapid'),
  };
  for (const f of Object.values(folders)) await mkdir(join(f, 'job', 'data'), { recursive: true });
  assert.deepEqual(await removeEndedWorkerFolders(dir), [folders.ended]);
  assert.deepEqual(
    (await readdir(dir)).sort(),
    [folders.other, folders.parent, folders.self].map((f) => f.slice(dir.length + 1)).sort(),
  );
});
