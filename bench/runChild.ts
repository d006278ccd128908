import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RESULT_MARKER } from './emitResult.ts';

export interface ChildOptions {
  /** Kill the child after this long (ms). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface ChildOutcome<T> {
  ok: boolean;
  result?: T;
  /** Why there is no result: exit code, signal or timeout, and the end of stderr. */
  error?: string;
  seconds: number;
}

/** Runs `bench/<file>` (TypeScript, through tsx) in its own Node process: a fresh tfjs engine and kernel registry. */
export function runTsChild<T>(
  file: string,
  args: readonly string[],
  options: ChildOptions = {},
): Promise<ChildOutcome<T>> {
  const script = fileURLToPath(new URL(file, import.meta.url));
  // CHORUS_BENCH_CHILD_CPU_PROF=<dir>: each child writes a V8 CPU profile there (where does its time go).
  const profileDir = process.env.CHORUS_BENCH_CHILD_CPU_PROF;
  return runChild<T>(
    process.execPath,
    [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), '--import', 'tsx', script, ...args],
    options,
  );
}

/**
 * Runs a command and waits for it. Its stdout is scanned for the marked result line; stderr is passed
 * through (with a prefix) so warnings stay visible.
 */
export function runChild<T>(
  command: string,
  args: readonly string[],
  options: ChildOptions = {},
): Promise<ChildOutcome<T>> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    let stdout = '';
    let stderrTail = '';
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-4000);
      for (const line of chunk.split('\n')) if (line.trim() !== '') process.stderr.write(`    | ${line}\n`);
    });
    const finish = (outcome: Omit<ChildOutcome<T>, 'seconds'>) => {
      if (timer) clearTimeout(timer);
      resolve({ ...outcome, seconds: (performance.now() - started) / 1000 });
    };
    child.on('error', (err) => finish({ ok: false, error: err.message }));
    child.on('close', (code, signal) => {
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
      if (line !== undefined && code === 0) {
        finish({ ok: true, result: JSON.parse(line.slice(RESULT_MARKER.length)) as T });
        return;
      }
      const why = timedOut
        ? `timed out after ${options.timeoutMs} ms`
        : `exited with ${signal ?? `code ${code}`}`;
      const tail = stderrTail.trim().split('\n').slice(-3).join(' / ');
      finish({ ok: false, error: `${why}${tail ? `: ${tail}` : ''}` });
    });
  });
}
