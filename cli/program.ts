import { Command } from 'commander';
import { cancelCommand } from './commands/cancel.ts';
import { coordinatorCommand } from './commands/coordinator.ts';
import { doctorCommand } from './commands/doctor.ts';
import { fetchCommand } from './commands/fetch.ts';
import { jobsCommand } from './commands/jobs.ts';
import { natsPermissionsCommand } from './commands/natsPermissions.ts';
import { runCommand } from './commands/run.ts';
import { statusCommand } from './commands/status.ts';
import { submitCommand } from './commands/submit.ts';
import { tokenCommand } from './commands/token.ts';
import { watchCommand } from './commands/watch.ts';
import { workerCommand } from './commands/worker.ts';
import { workersCommand } from './commands/workers.ts';

/**
 * The `chorus` command: one file per subcommand under commands/, each owning its flags. A command
 * file imports only what defining its flags needs; its action loads the machinery (tfjs, gRPC, NATS,
 * the thread pool) when it runs, so `chorus --help` and a light command start fast.
 */
export function buildProgram(): Command {
  const program = new Command('chorus')
    .description(
      'Train ensembles of TensorFlow.js models, combine them, and distil them into a small student.',
    )
    .exitOverride()
    .showHelpAfterError();
  for (const command of [
    runCommand(),
    coordinatorCommand(),
    workerCommand(),
    submitCommand(),
    statusCommand(),
    watchCommand(),
    cancelCommand(),
    fetchCommand(),
    jobsCommand(),
    workersCommand(),
    natsPermissionsCommand(),
    tokenCommand(),
    doctorCommand(),
  ]) {
    inheritSettings(command, program);
    program.addCommand(command);
  }
  return program;
}

/** A command made on its own does not inherit exitOverride and the help settings: copy them down. */
function inheritSettings(command: Command, parent: Command): void {
  command.copyInheritedSettings(parent);
  for (const sub of command.commands) inheritSettings(sub, command);
}
