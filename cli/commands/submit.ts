import { Command, Option } from 'commander';
import { PRIORITIES, type Priority } from '../../core/spec/priority.ts';
import { basename } from 'node:path';
import { coordinatorOptions, type CoordinatorFlags } from '../flags/coordinatorFlags.ts';

export interface SubmitFlags extends CoordinatorFlags {
  wait?: boolean;
  fresh?: boolean;
  json?: boolean;
  /** The job's class on the cluster, over its file's `runtime.priority`. */
  priority?: Priority;
}

/**
 * `chorus submit job.yaml`: validates the job and its data files here, with the checks of `chorus run`
 * (bad input exits with code 2 before anything is sent), uploads it with the local data files it names
 * (workers need no shared filesystem), and with `--wait` follows it and prints the same table as
 * `chorus run`.
 */
export function submitCommand(): Command {
  return coordinatorOptions(
    new Command('submit')
      .description('submit a job (and the data files it names) to a coordinator')
      .argument('<job>', 'job file (YAML or JSON)'),
  )
    .option('--wait', 'follow the job and print its report table')
    .option('--fresh', 'start over instead of resuming an unfinished run of the same job')
    .addOption(
      new Option(
        '--priority <class>',
        "the job's priority on the cluster (default: the job file's runtime.priority, else normal)",
      ).choices(PRIORITIES),
    )
    .option('--json', 'machine-readable output')
    .action(submitJob);
}

async function submitJob(jobFile: string, flags: SubmitFlags): Promise<void> {
  const { readJobDataForUpload } = await import('../../cluster/jobData/checkJobData.ts');
  const { loadJobFile } = await import('../../core/spec/loadJob.ts');
  const { connectFromFlags } = await import('../flags/coordinatorConnection.ts');
  const { waitAndPrint } = await import('../followJob.ts');
  const { job, baseDir, text } = await loadJobFile(jobFile);
  const { readJobModelFiles } = await import('../../core/model/modelFile/readJobModelFiles.ts');
  const { modelUploadFiles } = await import('../../cluster/jobData/jobModelUploads.ts');
  // The data with chorus run's checks, then the model files with theirs: refused here (exit 2) before
  // anything is sent; the coordinator checks both again.
  const files = [
    ...(await readJobDataForUpload(job, baseDir)),
    ...modelUploadFiles(await readJobModelFiles(job, baseDir, jobFile)),
  ];
  const client = connectFromFlags(flags);
  try {
    const submitted = await client.submitJob(text, basename(jobFile), files, {
      fresh: flags.fresh === true,
      ...(flags.priority ? { priority: flags.priority } : {}),
    });
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
    await waitAndPrint(client, submitted.jobId, flags.json === true, { answeredBefore: true });
  } finally {
    client.close();
  }
}
