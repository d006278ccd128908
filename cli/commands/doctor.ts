import { Command } from 'commander';
import type { BackendChoice } from '../../core/backend/backendChoice.ts';
import { ChorusError } from '../../core/errors.ts';
import { DEFAULT_WORKER_NAME } from '../../cluster/nats/workerPermissions.ts';
import { ENV } from '../env.ts';
import { backendOption } from '../flags/backendFlag.ts';
import { coordinatorOptions, type CoordinatorFlags } from '../flags/coordinatorFlags.ts';
import { jsonOption, type JsonFlag } from '../flags/jsonFlag.ts';
import { natsOptions, natsSecurityFrom, type NatsFlags } from '../flags/natsFlags.ts';
import { envOrUndefined, fromEnv, serversOf } from '../options.ts';

interface DoctorFlags extends CoordinatorFlags, NatsFlags, JsonFlag {
  backend?: BackendChoice;
  workerName: string;
}

/** `chorus doctor`: what runs on this machine; exit code 1 when the asked backend (or a connection) fails. */
export function doctorCommand(): Command {
  return jsonOption(
    coordinatorOptions(
      natsOptions(
        new Command('doctor').description(
          'check which tfjs backends start here and why not, the GPUs, wasm SIMD, and (with --nats / --coordinator) the cluster login',
        ),
      ),
    ),
  )
    .addOption(backendOption('the backend to run (default auto): exit code 1 when it cannot start'))
    .option(
      '--worker-name <name>',
      `worker name whose NATS rights to check (${ENV.workerName})`,
      fromEnv('workerName', DEFAULT_WORKER_NAME),
    )
    .action(async (flags: DoctorFlags, command: Command) => {
      const { runDoctor } = await import('../../worker/doctor/runDoctor.ts');
      const { renderDoctor } = await import('../render/doctorTable.ts');
      // Connections are checked when asked for: a flag on the command line, or its environment variable.
      const given = (option: string, env: 'natsUrl' | 'coordinator') =>
        command.getOptionValueSource(option) === 'cli' || envOrUndefined(env) !== undefined;
      const connections: { name: string; check: () => Promise<string> }[] = [];
      if (given('nats', 'natsUrl')) {
        const { checkNatsAsWorker } = await import('../../worker/doctor/clusterChecks.ts');
        const security = natsSecurityFrom(flags);
        connections.push({
          name: 'NATS',
          check: () =>
            checkNatsAsWorker({
              servers: serversOf(flags.nats),
              ...(security ? { security } : {}),
              prefix: flags.natsPrefix,
              workerName: flags.workerName,
            }),
        });
      }
      if (given('coordinator', 'coordinator')) {
        const { checkCoordinatorAsWorker } = await import('../../worker/doctor/clusterChecks.ts');
        const { clientSecurityFrom } = await import('../flags/coordinatorConnection.ts');
        const grpc = clientSecurityFrom(flags);
        connections.push({
          name: 'coordinator',
          check: () => checkCoordinatorAsWorker(flags.coordinator, grpc),
        });
      }
      const result = await runDoctor({ backend: flags.backend ?? 'auto', connections });
      process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : renderDoctor(result));
      if (!result.ok) {
        const failed = result.checks.filter((c) => c.status === 'fail').map((c) => c.name);
        throw new ChorusError(`doctor: ${failed.join(', ')} failed`);
      }
    });
}
