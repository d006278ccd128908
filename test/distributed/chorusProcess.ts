import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { LoggedProcess } from '../support/loggedProcess.ts';
import { REPO_ROOT } from '../pipeline/cli.ts';

const BIN = join(REPO_ROOT, 'cli', 'bin.mjs');
const LOG_LINES = 400;

/**
 * One long-running `chorus` process (coordinator or worker) started as a user would
 * (`node cli/bin.mjs …`), with its output kept for assertions and failure messages.
 */
export class ChorusProcess extends LoggedProcess {
  constructor(name: string, args: readonly string[], env: Readonly<Record<string, string>> = {}) {
    super(
      name,
      spawn(process.execPath, [BIN, ...args], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
      }),
      LOG_LINES,
    );
  }
}
