import { basename } from 'node:path';
import type { DataSource } from '../../core/spec/data.ts';
import { parseJobText } from '../../core/spec/loadJob.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';

/**
 * Data files travel with a distributed job: `chorus submit` uploads the local files the job names,
 * the coordinator checks them and stores them as artifacts `data/<n>-<file name>` of the job and
 * rewrites the job's paths to those keys, and each worker downloads them into its cache before
 * preparing the data (dataFileCache.ts). Messages name the files as the job file does.
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

/** The key each data file of a job (as written in the job file) is uploaded under. */
export function uploadKeys(job: ResolvedJob): Map<string, string> {
  return new Map(jobDataFiles(job).map((path, i) => [path, dataFileKey(i, path)]));
}

/**
 * Key → the path the job file gives, for a submitted job (its text, as kept with the job): what
 * messages about an uploaded file call it. Empty when the text no longer parses.
 */
export function uploadedNames(record: { jobText: string }): Map<string, string> {
  try {
    return new Map([...uploadKeys(parseJobText(record.jobText))].map(([path, key]) => [key, path]));
  } catch {
    return new Map();
  }
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
