import { posix } from 'node:path';
import { JobSpecError, ModelFileError, type SpecIssue } from '../../core/errors.ts';
import { modelFilesFromUpload } from '../../core/model/modelFile/modelFilesFromUpload.ts';
import type { JobModelFileContent } from '../../core/model/modelFile/readJobModelFiles.ts';
import { jobModelFiles } from '../../core/spec/jobModelFiles.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import type { UploadFile } from '../api/apiTypes.ts';

/**
 * The model files a job names travel with `chorus submit` like its data files: model.json under the
 * path the job file writes, each weights file under that folder with the path its manifest gives
 * (`models/ext/model.json`, `models/ext/group1-shard1of1.bin`). The client reads them from disk with
 * `chorus run`'s checks (readJobModelFiles: sizes, paths inside the folder, symbolic links); the
 * coordinator checks what arrived again (modelFilesFromUpload) before it accepts the job.
 */

/** Where a weights file of the model at `modelPath` travels. */
function weightsUploadPath(modelPath: string, weightsPath: string): string {
  return posix.join(posix.dirname(modelPath), weightsPath);
}

/** The client's side: the files to upload for the model files it has read, each once (members may share one). */
export function modelUploadFiles(contents: readonly JobModelFileContent[]): UploadFile[] {
  const byPath = new Map<string, Uint8Array>();
  for (const { declared, files } of contents) {
    byPath.set(declared.path, files.json);
    for (const w of files.weights) byPath.set(weightsUploadPath(declared.path, w.path), w.bytes);
  }
  return [...byPath].map(([path, bytes]) => ({ path, bytes }));
}

/**
 * The coordinator's side: the model files a job names, rebuilt from what was uploaded and checked as
 * `chorus run` checks files on disk. A JobSpecError lists every problem at the field naming the file
 * (INVALID_ARGUMENT for the client). `dataFiles` are the job's data files (never a model's weights).
 * Returns the paths it used, so that the caller can refuse uploads that nothing claims.
 */
export function modelFilesFromUploads(
  job: ResolvedJob,
  uploaded: ReadonlyMap<string, Uint8Array>,
  dataFiles: ReadonlySet<string>,
  source?: string,
): { contents: JobModelFileContent[]; used: Set<string> } {
  const issues: SpecIssue[] = [];
  const contents: JobModelFileContent[] = [];
  const used = new Set<string>();
  for (const declared of jobModelFiles(job)) {
    const json = uploaded.get(declared.path);
    if (!json) {
      issues.push({ path: declared.field, message: `${declared.who}: ${declared.path} was not uploaded` });
      continue;
    }
    used.add(declared.path);
    const folder = `${posix.dirname(declared.path)}/`;
    const weights = new Map<string, Uint8Array>();
    if (declared.weights === 'file') {
      for (const [path, bytes] of uploaded) {
        const claimed = dataFiles.has(path) || path === declared.path || /\.json$/i.test(path);
        if (!claimed && path.startsWith(folder)) {
          weights.set(path.slice(folder.length), bytes);
        }
      }
    }
    try {
      const files = modelFilesFromUpload(declared.path, json, weights, {
        weights: declared.weights === 'file',
      });
      for (const w of files.weights) used.add(weightsUploadPath(declared.path, w.path));
      contents.push({ declared, files });
    } catch (err) {
      if (!(err instanceof ModelFileError)) throw err;
      issues.push({ path: declared.field, message: `${declared.who}: ${err.message}` });
    }
  }
  if (issues.length > 0) throw new JobSpecError(issues, source);
  return { contents, used };
}
