import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { jobDataFiles } from '../../cluster/jobData/jobDataFiles.ts';
import type { Report } from '../../core/report/report.ts';
import { renderTable } from '../../coordinator/report/renderTable.ts';
import { DatasetError, JobFailedError } from '../../core/errors.ts';
import { loadJobFile } from '../../core/spec/loadJob.ts';
import type { CoordinatorConnection } from '../../cluster/client/coordinatorClient.ts';
import { connectFromFlags, type ClientSecurityFlags } from './clientSecurity.ts';
import { followJob } from './followJob.ts';

export interface SubmitFlags extends ClientSecurityFlags {
  coordinator: string;
  wait?: boolean;
  fresh?: boolean;
  json?: boolean;
}

/**
 * `chorus submit job.yaml`: validates the job here, uploads it with the local data files it names
 * (workers need no shared filesystem), and with `--wait` follows it and prints the same table as
 * `chorus run`.
 */
export async function submitCommand(jobFile: string, flags: SubmitFlags): Promise<void> {
  const { job, baseDir, text } = await loadJobFile(jobFile);
  const files = await Promise.all(
    jobDataFiles(job).map(async (path) => {
      const full = resolve(baseDir, path);
      try {
        return { path, bytes: new Uint8Array(await readFile(full)) };
      } catch (err) {
        throw new DatasetError(full, `cannot read the data file named by the job: ${(err as Error).message}`);
      }
    }),
  );
  const client = connectFromFlags(flags);
  try {
    const submitted = await client.submitJob(text, basename(jobFile), files, { fresh: flags.fresh === true });
    const note =
      submitted.alreadyDone > 0
        ? ` (${submitted.alreadyDone} of ${submitted.tasks} tasks already done: resuming)`
        : '';
    if (flags.json) process.stdout.write(`${JSON.stringify({ type: 'submitted', ...submitted })}\n`);
    else process.stderr.write(`submitted job ${submitted.jobId}: ${submitted.tasks} tasks${note}\n`);
    if (!flags.wait) {
      if (!flags.json) process.stdout.write(`${submitted.jobId}\n`);
      return;
    }
    await waitAndPrint(client, submitted.jobId, flags.json === true);
  } finally {
    client.close();
  }
}

/** Follows a job to its end; prints its report table, or fails with the job's error. */
export async function waitAndPrint(
  client: CoordinatorConnection,
  jobId: string,
  json: boolean,
): Promise<void> {
  const final = await followJob(client, jobId, json);
  if (final.type === 'job-failed') throw new JobFailedError(final.taskId || jobId, final.error);
  if (final.type === 'job-interrupted')
    throw new JobFailedError(jobId, 'the job was cancelled or interrupted');
  const { json: reportJson } = await client.getReport(jobId);
  const report = JSON.parse(reportJson) as Report;
  if (json) process.stdout.write(`${JSON.stringify({ type: 'report', jobId, report })}\n`);
  else process.stdout.write(`\n${renderTable(report)}\n`);
}
