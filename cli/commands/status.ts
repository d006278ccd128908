import { Command } from 'commander';
import { coordinatorOptions, type CoordinatorFlags } from '../flags/coordinatorFlags.ts';
import { jsonOption, type JsonFlag } from '../flags/jsonFlag.ts';

/** `chorus status JOB`: a job's state and its tasks. */
export function statusCommand(): Command {
  return jsonOption(
    coordinatorOptions(
      new Command('status').description("show a job's state and its tasks").argument('<job-id>'),
    ),
  ).action(async (jobId: string, flags: CoordinatorFlags & JsonFlag) => {
    const { withCoordinator } = await import('../flags/coordinatorConnection.ts');
    const { renderStatus } = await import('../render/jobTables.ts');
    const status = await withCoordinator(flags, (client) => client.getJob(jobId));
    process.stdout.write(flags.json ? `${JSON.stringify(status)}\n` : renderStatus(status));
  });
}
