import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FsArtifactStore } from '../../core/artifacts/fsArtifactStore.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

test('delete removes the file and the folders it leaves empty, never the root or a folder in use', async () => {
  const root = await mkdtemp(join(tmpdir(), 'chorus-fs-store-'));
  try {
    const store = new FsArtifactStore(root);
    await store.put('checkpoints/train_a/epoch-1/model.bin', bytes('a'));
    await store.put('checkpoints/train_b/state.json', bytes('b'));
    await store.delete('checkpoints/train_a/epoch-1/model.bin');
    assert.equal(await store.has('checkpoints/train_a/epoch-1/model.bin'), false);
    await assert.rejects(stat(join(root, 'checkpoints/train_a')), { code: 'ENOENT' });
    assert.equal(await store.has('checkpoints/train_b/state.json'), true);
    await store.delete('checkpoints/train_b/state.json');
    assert.deepEqual(await readdir(root), [], 'every emptied folder is gone');
    await stat(root); // the root stays
    await store.delete('checkpoints/never/written');

    // A put cut off by a crash leaves `<file>.<hex>.tmp`: delete removes it with the key, not a neighbour's.
    await store.put('c/epoch-2/model.bin', bytes('m'));
    await writeFile(join(root, 'c/epoch-2/model.bin.0123456789ab.tmp'), 'half');
    await writeFile(join(root, 'c/epoch-2/model.bin2.0123456789ab.tmp'), 'another key');
    await store.delete('c/epoch-2/model.bin');
    assert.deepEqual(await readdir(join(root, 'c/epoch-2')), ['model.bin2.0123456789ab.tmp']);
    assert.throws(() => store.pathOf('../outside'), /invalid artifact key/);
    await assert.rejects(store.delete('../outside'), /invalid artifact key/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
