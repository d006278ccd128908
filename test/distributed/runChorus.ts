import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { REPO_ROOT } from '../pipeline/cli.ts';

export interface ChorusExit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one short `chorus` command (`status`, `workers`, `submit` …) to its exit and returns its output
 * as text (whatever it is: tables or JSON). Killed by pid if it outlives `timeoutMs` or the test.
 */
export function runChorus(t: TestContext, args: readonly string[], timeoutMs = 60_000): Promise<ChorusExit> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'cli', 'bin.mjs'), ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  t.after(kill);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`chorus ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
