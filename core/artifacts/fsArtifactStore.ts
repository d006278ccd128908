import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { ArtifactNotFoundError, ChorusError } from '../errors.ts';
import type { ArtifactStore } from './artifactStore.ts';

/** What `put` appends to a key's file name while writing it: `.<12 hex digits>.tmp`. */
const TMP_SUFFIX = /^[0-9a-f]{12}\.tmp$/;

/**
 * Artifacts as files under a root folder (embedded mode: `runs/<job>/`). Keys map to relative
 * paths, so a model folder here is exactly what `tf.loadLayersModel('file://…/model.json')` reads.
 */
export class FsArtifactStore implements ArtifactStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  pathOf(key: string): string {
    const rel = normalize(key);
    if (key === '' || isAbsolute(key) || rel.startsWith('..') || rel.split(sep).includes('..')) {
      throw new ChorusError(`invalid artifact key: ${JSON.stringify(key)}`);
    }
    return join(this.root, rel);
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename: a crash leaves the old file or the new one, never half of one.
    // fsync before the rename, so after a power cut the new name never points at unwritten data.
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`; // see TMP_SUFFIX
    const file = await open(tmp, 'w');
    try {
      await file.writeFile(bytes);
      await file.datasync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      const buf = await readFile(this.pathOf(key));
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactNotFoundError(key);
      throw err;
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch {
      return false;
    }
  }

  /**
   * Removes the file and any unfinished write of it (a `put` cut off by a crash leaves its temporary
   * file), then its folders up to the root while they are empty (a store has no empty folders).
   */
  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await rm(path, { force: true });
    const unfinished = `${basename(path)}.`;
    const siblings = await readdir(dirname(path)).catch(() => [] as string[]);
    for (const name of siblings) {
      if (name.startsWith(unfinished) && TMP_SUFFIX.test(name.slice(unfinished.length))) {
        await rm(join(dirname(path), name), { force: true });
      }
    }
    for (let dir = dirname(path); dir.startsWith(this.root + sep); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or already gone): the folders above are not empty either
      }
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.pathOf(prefix), { recursive: true, force: true });
  }
}
