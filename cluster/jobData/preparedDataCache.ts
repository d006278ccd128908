import { join } from 'node:path';
import type { ArtifactStore } from '../../core/artifacts/artifactStore.ts';
import { prepareData } from '../../core/data/prepareData.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import type { PreparedData } from '../../core/tasks/taskContext.ts';
import { downloadJobData } from './jobDataFiles.ts';

/**
 * Prepared data per job, loaded once per process (download + prepareData) and shared by every task
 * of the job. Failed loads are not cached, so a later task tries again.
 */
export class PreparedDataCache {
  private readonly entries = new Map<string, Promise<PreparedData>>();

  constructor(private readonly cacheDir: string) {}

  get(jobId: string, job: ResolvedJob, store: ArtifactStore): Promise<PreparedData> {
    let entry = this.entries.get(jobId);
    if (!entry) {
      entry = (async () => {
        const dir = await downloadJobData(job, store, join(this.cacheDir, jobId));
        return prepareData(job.data, dir, job.seed);
      })();
      this.entries.set(jobId, entry);
      entry.catch(() => this.entries.delete(jobId));
    }
    return entry;
  }

  drop(jobId: string): void {
    this.entries.delete(jobId);
  }
}
