import { Command } from 'commander';
import { coordinatorOptions, type CoordinatorFlags } from '../flags/coordinatorFlags.ts';
import { jsonOption, type JsonFlag } from '../flags/jsonFlag.ts';

/** `chorus workers`: the workers whose heartbeats the coordinator sees. */
export function workersCommand(): Command {
  return jsonOption(coordinatorOptions(new Command('workers').description('list connected workers'))).action(
    async (flags: CoordinatorFlags & JsonFlag) => {
      const { withCoordinator } = await import('../flags/coordinatorConnection.ts');
      const { renderWorkers } = await import('../render/jobTables.ts');
      const workers = await withCoordinator(flags, (client) => client.listWorkers());
      process.stdout.write(flags.json ? `${JSON.stringify(workers)}\n` : renderWorkers(workers));
    },
  );
}
