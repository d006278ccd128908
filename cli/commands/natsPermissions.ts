import { Command } from 'commander';
import { accountsConfig } from '../../cluster/nats/natsAccountsConfig.ts';
import { checkWorkerName } from '../../cluster/nats/natsNames.ts';
import {
  DEFAULT_WORKER_NAME,
  NATS_ACCOUNTS,
  workerAccountLinks,
  workerPermissions,
} from '../../cluster/nats/workerPermissions.ts';
import { natsPrefixOption } from '../flags/natsFlags.ts';
import type { JsonFlag } from '../flags/jsonFlag.ts';
import { fromEnv } from '../options.ts';

interface NatsPermissionsFlags extends JsonFlag {
  natsPrefix: string;
  workerName: string;
}

/**
 * `chorus nats-permissions`: the NATS accounts of Chorus for the server's config (docs/security.md,
 * "The NATS side"): the Chorus account with JetStream and what it exports, the workers' account with
 * what it imports, and the permissions of a worker user of one worker name.
 */
export function natsPermissionsCommand(): Command {
  return natsPrefixOption(
    new Command('nats-permissions').description(
      "print the NATS accounts of the coordinator and the workers, with the workers' permissions, for the NATS server's config",
    ),
  )
    .option(
      '--worker-name <name>',
      "the worker name whose heartbeats the workers' user may write (as `chorus worker --worker-name`)",
      fromEnv('workerName', DEFAULT_WORKER_NAME),
    )
    .option('--json', 'print the accounts, exports, imports and permissions as JSON')
    .action((flags: NatsPermissionsFlags) => {
      const name = checkWorkerName(flags.workerName);
      const prefix = flags.natsPrefix;
      if (flags.json) {
        const out = {
          accounts: NATS_ACCOUNTS,
          ...workerAccountLinks(prefix),
          permissions: workerPermissions(prefix, name),
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        [
          `# NATS accounts for Chorus (prefix "${prefix}", worker name "${name}"): \`chorus nats-permissions\`.`,
          `# ${NATS_ACCOUNTS.chorus} holds the streams; the coordinator logs in there. ${NATS_ACCOUNTS.workers} sees only`,
          `# what ${NATS_ACCOUNTS.chorus} exports; workers log in there, each user limited by the permissions below.`,
          '# Replace the $NATS_… variables, or set them in the environment of nats-server.',
          accountsConfig({ prefix, workerName: name }),
          '',
        ].join('\n'),
      );
    });
}
