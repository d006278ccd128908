import { Command } from 'commander';
import { coordinatorOptions, type CoordinatorFlags } from '../flags/coordinatorFlags.ts';
import { jsonOption, type JsonFlag } from '../flags/jsonFlag.ts';

/** `chorus cancel JOB`. */
export function cancelCommand(): Command {
  return jsonOption(
    coordinatorOptions(new Command('cancel').description('cancel a job').argument('<job-id>')),
  ).action(async (jobId: string, flags: CoordinatorFlags & JsonFlag) => {
    const { withCoordinator } = await import('../flags/coordinatorConnection.ts');
    const after = await withCoordinator(flags, (client) => client.cancelJob(jobId));
    process.stdout.write(`job ${after.jobId}: ${after.state}\n`);
  });
}
