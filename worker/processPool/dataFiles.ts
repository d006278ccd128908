import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PreparedData } from '../../core/tasks/taskContext.ts';
import { writeDataFile } from './dataFile.ts';

/** Data files kept at once: jobs a worker runs side by side (older ones are removed, and rewritten if needed). */
const KEEP_FILES = 8;

/**
 * The pool's data files, one per prepared dataset (per job), written on the first task that needs it
 * and read by each child once. They go to shared memory (/dev/shm) where there is one and it has room
 * (containers often give it 64 MiB), else to the temporary folder; either way a child's read mostly
 * comes from memory (the page cache). Everything goes when the pool closes or the process exits.
 */
export class PoolDataFiles {
  private readonly parents: string[];
  private readonly folders = new Map<string, Promise<string>>();
  private readonly files = new Map<PreparedData, Promise<string>>();
  private next = 0;
  private readonly removeAtExit = () => {
    for (const folder of this.created) rmSync(folder, { recursive: true, force: true });
  };
  private readonly created: string[] = [];

  constructor(parents = defaultParents()) {
    this.parents = parents;
    process.once('exit', this.removeAtExit);
  }

  /** The file holding `data`, written once. */
  fileFor(data: PreparedData): Promise<string> {
    const known = this.files.get(data);
    if (known) {
      // Most recently used last.
      this.files.delete(data);
      this.files.set(data, known);
      return known;
    }
    const written = this.write(data);
    this.files.set(data, written);
    written.catch(() => this.files.delete(data));
    if (this.files.size > KEEP_FILES) {
      const [oldest, oldFile] = this.files.entries().next().value!;
      this.files.delete(oldest);
      void oldFile.then((f) => rm(f, { force: true })).catch(() => undefined);
    }
    return written;
  }

  async close(): Promise<void> {
    process.off('exit', this.removeAtExit);
    this.files.clear();
    await Promise.all(this.created.map((folder) => rm(folder, { recursive: true, force: true })));
  }

  private async write(data: PreparedData): Promise<string> {
    const name = `data-${this.next++}.bin`;
    let lastError: unknown;
    for (const parent of this.parents) {
      let file: string | undefined;
      try {
        file = path.join(await this.folderIn(parent), name);
        await writeDataFile(file, data);
        return file;
      } catch (err) {
        lastError = err;
        if (file !== undefined) await rm(file, { force: true });
      }
    }
    throw lastError;
  }

  private folderIn(parent: string): Promise<string> {
    let folder = this.folders.get(parent);
    if (folder === undefined) {
      folder = mkdtemp(path.join(parent, `chorus-pool-${process.pid}-`)).then((made) => {
        this.created.push(made);
        return made;
      });
      this.folders.set(parent, folder);
    }
    return folder;
  }
}

/** /dev/shm (a tmpfs: memory the processes share) when it exists, then the temporary folder. */
function defaultParents(): string[] {
  return existsSync('/dev/shm') ? ['/dev/shm', tmpdir()] : [tmpdir()];
}
