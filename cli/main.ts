import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { backendChoice } from '../core/backend/backendChoice.ts';
import { ChorusError, JobInterruptedError, NonRetryableError } from '../core/errors.ts';
import { runCommand } from './commands/run.ts';

/** Exit codes: 0 ok, 1 the job failed, 2 bad input (job file, flags), 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;

export function positiveIntOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('chorus')
    .description(
      'Train ensembles of TensorFlow.js models, combine them, and distil them into a small student.',
    )
    .exitOverride()
    .showHelpAfterError();

  program
    .command('run')
    .description('run a job in this process (a pool of worker threads); rerun to resume')
    .argument('<job>', 'job file (YAML or JSON)')
    .option('-o, --out <dir>', 'output folder (default: runs/<job name>)')
    .option(
      '--slots <n>',
      'worker threads (default: the job file, else the number of cores)',
      positiveIntOption,
    )
    .addOption(
      new Option('--backend <name>', 'tfjs backend (default: the job file, else auto)').choices(
        backendChoice.options,
      ),
    )
    .option('--fresh', 'delete the output folder first instead of resuming')
    .option('--json', 'print machine-readable events, one JSON object per line')
    .action(async (job: string, opts: RunFlags) => {
      await runCommand(job, opts);
    });
  return program;
}

export interface RunFlags {
  out?: string;
  slots?: number;
  backend?: (typeof backendChoice.options)[number];
  fresh?: boolean;
  json?: boolean;
}

/** Runs the CLI and returns the exit code; errors a user can fix print without a stack trace. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    if (err instanceof NonRetryableError) {
      process.stderr.write(`chorus: ${err.message}\n`);
      return EXIT.badInput;
    }
    if (err instanceof JobInterruptedError) {
      process.stderr.write(`chorus: ${err.message}\n`);
      return EXIT.interrupted;
    }
    if (err instanceof ChorusError) {
      process.stderr.write(`chorus: ${err.message}\n`);
      return EXIT.failed;
    }
    process.stderr.write(
      `chorus: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return EXIT.failed;
  }
}
