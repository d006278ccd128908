import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactStore } from '../../core/artifacts/artifactStore.ts';
import { diskDataFiles, memoryDataFiles, type DataFiles } from '../../core/data/dataFiles.ts';
import { ChorusError } from '../../core/errors.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import { jobDataFiles } from './jobDataFiles.ts';
import { ensurePrivateFolder, writePrivateFile } from './privateFiles.ts';

/** How much a process keeps of uploaded data on its disk, and for how long. */
export interface DataFileCacheOptions {
  /** Most bytes of data files kept at once (default DATA_CACHE_DEFAULTS.maxBytes). */
  maxBytes?: number;
  /** A job's files not used for this long are removed, job over or not (default DATA_CACHE_DEFAULTS.retentionMs). */
  retentionMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

export const DATA_CACHE_DEFAULTS = {
  /** Four times the coordinator's default upload limit: the data of a few jobs at once. */
  maxBytes: 4 * 1024 ** 3,
  retentionMs: 60 * 60 * 1000,
} as const;

interface Entry {
  bytes: number;
  lastUsed: number;
  /** The files are written whole (a folder being filled is never evicted nor read). */
  complete: boolean;
}

/** Job ids become folder names: only plain ones (as the coordinator makes them). */
const SAFE_JOB_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/;

/**
 * Uploaded data files on a worker's or coordinator's disk, `<root>/<jobId>/data/<n>-<name>`: private
 * (0700 folders, 0600 files), removed when the owner says the job is over (`remove`) or after
 * `retentionMs` without use (`sweep`, which also removes folders left by an earlier process), and at
 * most `maxBytes` in total: a job's files that would take the cache over are written only after the
 * least recently used other jobs' files are removed, and are not written at all (the data is read from
 * memory) when even that is not enough.
 */
export class DataFileCache {
  readonly maxBytes: number;
  readonly retentionMs: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();
  private rootReady: Promise<void> | undefined;

  constructor(
    readonly root: string,
    options: DataFileCacheOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? DATA_CACHE_DEFAULTS.maxBytes;
    this.retentionMs = options.retentionMs ?? DATA_CACHE_DEFAULTS.retentionMs;
    this.now = options.now ?? Date.now;
  }

  /** Bytes of data files on disk now (written or being written). */
  get bytes(): number {
    let total = 0;
    for (const e of this.entries.values()) total += e.bytes;
    return total;
  }

  /** Jobs whose files are on disk. */
  jobs(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * The job's data files, downloaded from `store` unless they are here already. `nameOf` gives the
   * name messages use for each (the user's path, never the cache's).
   */
  async files(
    jobId: string,
    job: ResolvedJob,
    store: ArtifactStore,
    nameOf: (key: string) => string,
  ): Promise<DataFiles> {
    const dir = this.folderOf(jobId);
    const keys = jobDataFiles(job);
    if (keys.length === 0) return memoryDataFiles(new Map(), { nameOf });
    const entry = this.entries.get(jobId);
    if (entry?.complete) {
      // Another process sharing the folder may have swept it: then download again.
      const present = await Promise.all(
        keys.map((k) =>
          lstat(join(dir, k)).then(
            () => true,
            () => false,
          ),
        ),
      );
      if (present.every(Boolean)) {
        entry.lastUsed = this.now();
        return diskDataFiles(dir, { nameOf });
      }
      this.entries.delete(jobId);
    }
    const downloaded = new Map<string, Uint8Array>();
    for (const key of keys) downloaded.set(key, await store.get(key));
    const bytes = [...downloaded.values()].reduce((n, b) => n + b.byteLength, 0);
    const evicted = this.entries.has(jobId) ? undefined : this.reserve(jobId, bytes);
    if (!evicted) return memoryDataFiles(downloaded, { nameOf });
    try {
      for (const other of evicted) await rm(join(this.root, other), { recursive: true, force: true });
      await this.ensureRoot();
      await ensurePrivateFolder(dir);
      for (const [key, b] of downloaded) await writePrivateFile(join(dir, key), b);
    } catch {
      // A full or read-only disk costs only the copy: the data is in memory.
      this.entries.delete(jobId);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      return memoryDataFiles(downloaded, { nameOf });
    }
    const written = this.entries.get(jobId);
    // Removed while it was written (the job ended): leave nothing behind.
    if (!written) {
      await rm(dir, { recursive: true, force: true });
      return memoryDataFiles(downloaded, { nameOf });
    }
    written.complete = true;
    return diskDataFiles(dir, { nameOf });
  }

  /** The job's data is in use (its copy here is kept as long as the job's data is used). */
  touch(jobId: string): void {
    const entry = this.entries.get(jobId);
    if (entry) entry.lastUsed = this.now();
  }

  /** Removes a job's files (the job is over). */
  async remove(jobId: string): Promise<void> {
    if (!SAFE_JOB_ID.test(jobId)) return;
    this.entries.delete(jobId);
    await rm(join(this.root, jobId), { recursive: true, force: true });
  }

  /**
   * Removes the files of jobs unused for `retentionMs`, and folders in the root that this process
   * does not know (left by an earlier process) once they are that old (by their modification time).
   */
  async sweep(): Promise<void> {
    const cutoff = this.now() - this.retentionMs;
    for (const [jobId, e] of [...this.entries]) {
      if (e.complete && e.lastUsed < cutoff) await this.remove(jobId);
    }
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch {
      return; // no root yet: nothing was ever written
    }
    for (const name of names) {
      if (this.entries.has(name)) continue;
      const path = join(this.root, name);
      const info = await lstat(path).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) await rm(path, { recursive: true, force: true });
    }
  }

  /** Removes every job's files (the process is stopping). */
  async clear(): Promise<void> {
    for (const jobId of [...this.entries.keys()]) await this.remove(jobId);
  }

  private folderOf(jobId: string): string {
    if (!SAFE_JOB_ID.test(jobId)) throw new ChorusError(`not a job id: ${JSON.stringify(jobId)}`);
    return join(this.root, jobId);
  }

  private ensureRoot(): Promise<void> {
    this.rootReady ??= ensurePrivateFolder(this.root).catch((err: unknown) => {
      this.rootReady = undefined;
      throw err;
    });
    return this.rootReady;
  }

  /**
   * Makes room for `bytes` of a job's files by forgetting the least recently used complete other jobs,
   * and counts them, all before any await, so concurrent loads cannot both take the same room. The
   * jobs whose folders must go, or undefined (nothing changed) when the files cannot fit.
   */
  private reserve(jobId: string, bytes: number): string[] | undefined {
    if (bytes > this.maxBytes) return undefined;
    const evictable = [...this.entries]
      .filter(([, e]) => e.complete)
      .sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    let total = this.bytes;
    const victims: string[] = [];
    for (const [other, e] of evictable) {
      if (total + bytes <= this.maxBytes) break;
      victims.push(other);
      total -= e.bytes;
    }
    if (total + bytes > this.maxBytes) return undefined;
    for (const other of victims) this.entries.delete(other);
    this.entries.set(jobId, { bytes, lastUsed: this.now(), complete: false });
    return victims;
  }
}
