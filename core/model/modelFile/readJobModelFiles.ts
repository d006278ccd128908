import { resolve } from 'node:path';
import { JobSpecError, ModelFileError, type SpecIssue } from '../../errors.ts';
import { jobModelFiles, type JobModelFile } from '../../spec/jobModelFiles.ts';
import type { ResolvedJob } from '../../spec/resolvedJob.ts';
import type { ModelFileLimits } from './modelFileManifest.ts';
import { readModelFiles, type ModelFiles } from './readModelFiles.ts';

/** One model file a job names, and its content. */
export interface JobModelFileContent {
  declared: JobModelFile;
  files: ModelFiles;
}

/**
 * Reads every model file the job names (relative paths from `baseDir`, the job file's folder, as data
 * paths are), with the weights files of those used with `weights: file`. Throws a JobSpecError listing
 * every file that cannot be read, at the field that names it (`members[2].model: member "ext": <file>: …`).
 */
export async function readJobModelFiles(
  job: ResolvedJob,
  baseDir: string,
  source?: string,
  limits?: ModelFileLimits,
): Promise<JobModelFileContent[]> {
  const issues: SpecIssue[] = [];
  const out: JobModelFileContent[] = [];
  for (const declared of jobModelFiles(job)) {
    try {
      const files = await readModelFiles(resolve(baseDir, declared.path), {
        weights: declared.weights === 'file',
        ...(limits ? { limits } : {}),
      });
      out.push({ declared, files });
    } catch (err) {
      if (!(err instanceof ModelFileError)) throw err;
      issues.push({ path: declared.field, message: `${declared.who}: ${err.message}` });
    }
  }
  if (issues.length > 0) throw new JobSpecError(issues, source);
  return out;
}
