import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readParseCache, writeParseCache } from '../../core/data/parseCache.ts';

let root: string;
let sources: string;
const names = ['a.json', 'b.json'];
const arrays = [new Float32Array([0, 0.5, 1]), new Float32Array([0.25, 0.75])];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'chorus-parse-cache-'));
  sources = join(root, 'sources');
  await writeFileDeep(join(sources, 'a.json'), '{"data":[0,0.5,1]}');
  await writeFileDeep(join(sources, 'b.json'), '{"data":[0.25,0.75]}');
});

after(() => rm(root, { recursive: true, force: true }));

async function writeFileDeep(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
}

async function filled(name: string): Promise<string> {
  const dir = join(root, name);
  assert.equal(await writeParseCache(dir, sources, names, arrays), true);
  return dir;
}

test('an empty cache is a miss; a filled one gives back the same floats', async () => {
  assert.equal(await readParseCache(join(root, 'nothing-here'), sources, names), undefined);
  const dir = await filled('roundtrip');
  assert.deepEqual(await readParseCache(dir, sources, names), arrays);
  assert.deepEqual(
    (await readdir(dir)).sort(),
    ['0.f32', '1.f32', 'manifest.json'],
    'no temporary files left',
  );
});

test('a source that changed since the cache was written is a miss', async () => {
  const dir = await filled('changed');
  const later = new Date(Date.now() + 60_000);
  await utimes(join(sources, 'b.json'), later, later);
  assert.equal(await readParseCache(dir, sources, names), undefined);
  // Filled again for the sources as they are now, it is a hit.
  await writeParseCache(dir, sources, names, arrays);
  assert.deepEqual(await readParseCache(dir, sources, names), arrays);
});

test('a short array file, a broken manifest or another list of sources is a miss', async () => {
  const short = await filled('short');
  await truncate(join(short, '1.f32'), 4);
  assert.equal(await readParseCache(short, sources, names), undefined);

  const broken = await filled('broken');
  await writeFile(join(broken, 'manifest.json'), '{"format":');
  assert.equal(await readParseCache(broken, sources, names), undefined);

  const other = await filled('other');
  assert.equal(await readParseCache(other, sources, ['a.json']), undefined);
});

test('a cache folder that cannot be written costs the speed-up only: no throw, no leftovers', async () => {
  if (process.getuid?.() === 0) {
    // root writes through permission bits: a path under a regular file cannot be created by anyone.
    const blocker = join(root, 'a-file');
    await writeFile(blocker, '');
    assert.equal(await writeParseCache(join(blocker, 'cache'), sources, names, arrays), false);
    return;
  }
  const dir = join(root, 'read-only');
  await writeFileDeep(join(dir, 'keep'), '');
  await chmod(dir, 0o555);
  assert.equal(await writeParseCache(dir, sources, names, arrays), false);
  assert.deepEqual(await readdir(dir), ['keep']);
});
