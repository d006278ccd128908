import { CommanderError } from 'commander';
import { ChorusError, JobInterruptedError, NonRetryableError } from '../core/errors.ts';
import { EXIT } from './exitCodes.ts';
import { buildProgram } from './program.ts';

/** Runs the CLI and returns the exit code; errors a user can fix print without a stack trace. */
export async function main(argv: string[]): Promise<number> {
  try {
    const program = buildProgram();
    await program.parseAsync(argv);
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
