import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { memoryDataFiles } from '../../core/data/dataFiles.ts';
import { prepareData } from '../../core/data/prepareData.ts';
import { readRawDataFile } from '../../core/data/readDataFile.ts';
import { NonRetryableError } from '../../core/errors.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import type { PreparedData } from '../../core/tasks/taskContext.ts';
import type { UploadFile } from '../api/apiTypes.ts';
import { MAX_UPLOAD_BYTES } from '../grpc/messageLimits.ts';
import { jobDataFiles } from './jobDataFiles.ts';

/**
 * A distributed job's data is checked before the job is accepted, with the checks of `chorus run`
 * (every file read, parsed and validated as prepareData does: format, counts, labels, NaN, shapes):
 * by `chorus submit` before it uploads, and by the coordinator again on what it received, so that a
 * client that skips its own checks cannot get bad data to the workers.
 */

/**
 * Runs the checks on a job's data files held in memory (keyed by their path in the job file);
 * `nameOf` says how errors name each (default: that path). The prepared data, or undefined for a job
 * that names no files (bundled or synthetic data: nothing uploaded, nothing to check).
 */
export async function checkJobData(
  job: ResolvedJob,
  files: ReadonlyMap<string, Uint8Array>,
  nameOf?: (path: string) => string,
): Promise<PreparedData | undefined> {
  if (jobDataFiles(job).length === 0) return undefined;
  return prepareData(job.data, memoryDataFiles(files, nameOf ? { nameOf } : {}), job.seed);
}

/**
 * Reads the local files a job names (relative to `baseDir`, the job file's folder) for upload: only
 * regular files, the sizes checked against the upload limit before anything is read, then the checks
 * of `checkJobData`. Errors name each file by its resolved path, as `chorus run` does.
 */
export async function readJobDataForUpload(
  job: ResolvedJob,
  baseDir: string,
  maxUploadBytes: number = MAX_UPLOAD_BYTES,
): Promise<UploadFile[]> {
  const paths = jobDataFiles(job);
  const full = (path: string) => resolve(baseDir, path);
  let total = 0;
  for (const path of paths) {
    const info = await stat(full(path)).catch(() => undefined);
    // Not there, not a file: reading it below says so.
    if (info?.isFile()) total += info.size;
  }
  if (total > maxUploadBytes) {
    throw new NonRetryableError(
      `the job's data files hold ${total} bytes, over the upload limit of ${maxUploadBytes} bytes`,
    );
  }
  const files: UploadFile[] = [];
  for (const path of paths) {
    const bytes = await readRawDataFile(full(path), { maxBytes: maxUploadBytes });
    files.push({ path, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
  }
  await checkJobData(job, new Map(files.map((f) => [f.path, f.bytes])), full);
  return files;
}
