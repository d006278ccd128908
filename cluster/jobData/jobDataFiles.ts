import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ArtifactStore } from '../../core/artifacts/artifactStore.ts';
import type { DataSource } from '../../core/spec/data.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';

/**
 * Data files travel with a distributed job: `chorus submit` uploads the local files the job names,
 * the coordinator stores them as artifacts `data/<n>-<file name>` of the job and rewrites the job's
 * paths to those keys, and each worker downloads them into its cache before preparing the data.
 */

/** Every file path a data source names (none for bundled or synthetic data). */
export function sourceFiles(source: DataSource): string[] {
  switch (source.format) {
    case 'idx':
      return [source.images, source.labels];
    case 'csv':
      return [source.path];
    case 'npy':
      return [source.features, source.labels];
    default:
      return [];
  }
}

/** Every distinct file a job's data names, as written in the job file. */
export function jobDataFiles(job: ResolvedJob): string[] {
  return [...new Set([...sourceFiles(job.data.train), ...sourceFiles(job.data.test)])];
}

/** The artifact key a job's n-th data file is stored under. */
export function dataFileKey(index: number, path: string): string {
  const name = basename(path).replace(/[^A-Za-z0-9_.-]/g, '_') || 'file';
  return `data/${index}-${name}`;
}

/** A copy of the job whose data paths point at the uploaded keys (relative to the job's data folder). */
export function withUploadedPaths(job: ResolvedJob, keyOf: ReadonlyMap<string, string>): ResolvedJob {
  const map = (p: string) => keyOf.get(p) ?? p;
  const rewrite = (s: DataSource): DataSource => {
    switch (s.format) {
      case 'idx':
        return { ...s, images: map(s.images), labels: map(s.labels) };
      case 'csv':
        return { ...s, path: map(s.path) };
      case 'npy':
        return { ...s, features: map(s.features), labels: map(s.labels) };
      default:
        return s;
    }
  };
  return { ...job, data: { ...job.data, train: rewrite(job.data.train), test: rewrite(job.data.test) } };
}

/** Downloads a job's uploaded data files into `dir` (mirroring their keys); returns `dir`. */
export async function downloadJobData(job: ResolvedJob, store: ArtifactStore, dir: string): Promise<string> {
  for (const key of jobDataFiles(job)) {
    const target = join(dir, key);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await store.get(key));
  }
  return dir;
}
