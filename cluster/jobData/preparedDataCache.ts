import type { ArtifactStore } from '../../core/artifacts/artifactStore.ts';
import { prepareData } from '../../core/data/prepareData.ts';
import type { PreparedData } from '../../core/tasks/taskContext.ts';
import type { JobRecord } from '../state/jobRecord.ts';
import { DataFileCache, type DataFileCacheOptions } from './dataFileCache.ts';
import { uploadedNames } from './jobDataFiles.ts';

export interface PreparedDataCacheOptions extends DataFileCacheOptions {
  /**
   * Whether a job has ended (done, failed, cancelled or unknown): asked for every cached job by the
   * periodic sweep, which removes the data of ended ones. Without it only `drop` and retention do.
   */
  isJobOver?: (jobId: string) => Promise<boolean>;
  /** How often the sweep runs (default 60 s); 0: never (the owner calls `sweep`). */
  sweepMs?: number;
}

interface Entry {
  data: Promise<PreparedData>;
  lastUsed: number;
}

/**
 * Prepared data per job, loaded once per process (download into the private DataFileCache, then
 * prepareData, naming files as the user did) and shared by every task of the job. Failed loads are
 * not kept, so a later task tries again. A job's data (in memory and on disk) goes when the owner
 * `drop`s it (the job is over), when the sweep finds the job over, or after the retention period
 * without use; `close` removes everything.
 */
export class PreparedDataCache {
  readonly files: DataFileCache;
  private readonly entries = new Map<string, Entry>();
  private readonly isJobOver: ((jobId: string) => Promise<boolean>) | undefined;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(cacheDir: string, options: PreparedDataCacheOptions = {}) {
    this.files = new DataFileCache(cacheDir, options);
    this.isJobOver = options.isJobOver;
    this.now = options.now ?? Date.now;
    const sweepMs = options.sweepMs ?? 60_000;
    if (sweepMs > 0) {
      this.timer = setInterval(() => void this.sweep(), sweepMs);
      this.timer.unref();
    }
  }

  /** The job's prepared data; `record` is the job as kept in KV (its text names the user's files). */
  get(
    jobId: string,
    record: Pick<JobRecord, 'job' | 'jobText'>,
    store: ArtifactStore,
  ): Promise<PreparedData> {
    const known = this.entries.get(jobId);
    if (known) {
      known.lastUsed = this.now();
      this.files.touch(jobId);
      return known.data;
    }
    const data = (async () => {
      const names = uploadedNames(record);
      const files = await this.files.files(jobId, record.job, store, (key) => names.get(key) ?? key);
      return prepareData(record.job.data, files, record.job.seed);
    })();
    const entry: Entry = { data, lastUsed: this.now() };
    this.entries.set(jobId, entry);
    data.catch(() => {
      if (this.entries.get(jobId) === entry) this.entries.delete(jobId);
    });
    return data;
  }

  /** Data prepared elsewhere (the coordinator's check of a submission): no need to load it again. */
  put(jobId: string, data: PreparedData): void {
    this.entries.set(jobId, { data: Promise.resolve(data), lastUsed: this.now() });
  }

  /** Jobs with data here, in memory or on disk. */
  jobs(): string[] {
    return [...new Set([...this.entries.keys(), ...this.files.jobs()])];
  }

  /** The job is over: forget its data and remove its files. */
  async drop(jobId: string): Promise<void> {
    this.entries.delete(jobId);
    await this.files.remove(jobId);
  }

  /** Drops ended jobs (when `isJobOver` is given) and jobs unused for the retention period. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  /** Stops sweeping and removes every job's data (the process is stopping). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping?.catch(() => undefined);
    this.entries.clear();
    await this.files.clear();
  }

  private async sweepOnce(): Promise<void> {
    const cutoff = this.now() - this.files.retentionMs;
    for (const jobId of this.jobs()) {
      const entry = this.entries.get(jobId);
      const idle = entry === undefined || entry.lastUsed < cutoff;
      const over = await this.isJobOver?.(jobId).catch(() => false);
      if (over || (idle && entry !== undefined)) await this.drop(jobId).catch(() => undefined);
    }
    await this.files.sweep().catch(() => undefined);
  }
}
