import { Command } from 'commander';
import { permissionsConfig, workerPermissions } from '../../cluster/nats/workerPermissions.ts';
import { natsPrefixOption } from '../flags/natsFlags.ts';
import type { JsonFlag } from '../flags/jsonFlag.ts';

/** `chorus nats-permissions`: the workers' NATS user's permissions, for the NATS server's config. */
export function natsPermissionsCommand(): Command {
  return natsPrefixOption(
    new Command('nats-permissions').description(
      "print the NATS permissions of the workers' user, for the NATS server's config",
    ),
  )
    .option('--json', 'print them as JSON')
    .action((flags: { natsPrefix: string } & JsonFlag) => {
      const permissions = workerPermissions(flags.natsPrefix);
      process.stdout.write(
        `${flags.json ? JSON.stringify(permissions, null, 2) : permissionsConfig(permissions)}\n`,
      );
    });
}
