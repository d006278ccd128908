import { Command } from 'commander';
import { coordinatorOptions, type CoordinatorFlags } from '../flags/coordinatorFlags.ts';
import { jsonOption, type JsonFlag } from '../flags/jsonFlag.ts';

/** `chorus jobs`: every job the coordinator knows. */
export function jobsCommand(): Command {
  return jsonOption(coordinatorOptions(new Command('jobs').description('list jobs, newest first'))).action(
    async (flags: CoordinatorFlags & JsonFlag) => {
      const { withCoordinator } = await import('../flags/coordinatorConnection.ts');
      const { renderJobs } = await import('../render/jobTables.ts');
      const jobs = await withCoordinator(flags, (client) => client.listJobs());
      process.stdout.write(flags.json ? `${JSON.stringify(jobs)}\n` : renderJobs(jobs));
    },
  );
}
