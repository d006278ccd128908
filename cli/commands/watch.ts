import { Command } from 'commander';
import { coordinatorOptions, type CoordinatorFlags } from '../flags/coordinatorFlags.ts';
import { jsonOption, type JsonFlag } from '../flags/jsonFlag.ts';

/** `chorus watch JOB`: follows a job until it ends and prints its report table. */
export function watchCommand(): Command {
  return jsonOption(
    coordinatorOptions(
      new Command('watch')
        .description('follow a job until it ends and print its report table')
        .argument('<job-id>'),
    ),
  ).action(async (jobId: string, flags: CoordinatorFlags & JsonFlag) => {
    const { withCoordinator } = await import('../flags/coordinatorConnection.ts');
    const { waitAndPrint } = await import('../followJob.ts');
    await withCoordinator(flags, (client) => waitAndPrint(client, jobId, flags.json === true));
  });
}
