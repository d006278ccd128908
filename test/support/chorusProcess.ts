import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LoggedProcess, type ProcessExit } from './loggedProcess.ts';

/**
 * The one way tests and benchmarks start `chorus`: `node cli/bin.mjs …` from the repository root, as
 * a user does, with its output kept for assertions and failure messages.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHORUS_BIN = join(REPO_ROOT, 'cli', 'bin.mjs');

export interface ChorusProcessOptions {
  /** Added to the environment (after `cleanEnv`). */
  env?: Readonly<Record<string, string>>;
  /** Start from the runner's environment without its CHORUS_* variables: configured only by flags and `env`. */
  cleanEnv?: boolean;
  /** Written to standard input, which is then closed; without it standard input is empty. */
  stdin?: string;
  /** Node flags before the script, e.g. `--cpu-prof`. */
  nodeArgs?: readonly string[];
  /** Output lines kept for `log()` and `waitForLine` (default 2000; Infinity keeps every line). */
  logLines?: number;
  /** The process is SIGKILLed (by its pid) when this test ends, if it still runs. */
  t?: TestContext;
}

/** How a `chorus` process ended, with everything it printed. */
export interface ChorusExit extends ProcessExit {
  stdout: string;
  stderr: string;
  /** Wall-clock seconds from spawn to exit. */
  seconds: number;
}

function environment(options: ChorusProcessOptions): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!(options.cleanEnv && k.startsWith('CHORUS_'))) base[k] = v;
  }
  // A plain, non-TTY environment: no colours, no live progress display.
  return { ...base, NO_COLOR: '1', FORCE_COLOR: '0', ...options.env };
}

/** A `chorus` process (a coordinator, a worker, or a command run to its end). */
export class ChorusProcess extends LoggedProcess {
  /** Resolves when the process has ended, with all it printed. */
  readonly finished: Promise<ChorusExit>;

  constructor(name: string, args: readonly string[], options: ChorusProcessOptions = {}) {
    const started = performance.now();
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CHORUS_BIN, ...args], {
      cwd: REPO_ROOT,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: environment(options),
    });
    super(name, child, options.logLines ?? 2000);
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    this.finished = this.exited.then((exit) => ({
      ...exit,
      stdout: this.stdout,
      stderr: this.stderr,
      seconds: (performance.now() - started) / 1000,
    }));
    const t = options.t;
    t?.after(() => this.kill());
  }

  /** Kept output lines that match `re`. */
  matching(re: RegExp): string[] {
    return this.outputLines().filter((l) => re.test(l));
  }

  /** The last `n` output lines, for error messages. */
  tail(n = 20): string {
    return this.outputLines().slice(-n).join('\n');
  }

  /** The first match of `re` in the whole output (it may span lines); rejects if the process exits first. */
  waitForOutput(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return this.waitUntil(() => this.output.match(re) ?? undefined, `${re}`, timeoutMs);
  }

  /** SIGTERM (a worker drains, the coordinator shuts down), SIGKILL after `graceMs`; by this pid only. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.signal('SIGTERM');
    const force = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(force);
  }
}

/**
 * Runs `chorus <args>` to its exit and returns what it printed. SIGKILLed after `timeoutMs` (the
 * promise then rejects), or when the test `t` ends.
 */
export async function runChorus(
  args: readonly string[],
  options: ChorusProcessOptions & { timeoutMs?: number } = {},
): Promise<ChorusExit> {
  const name = `chorus ${args.slice(0, 2).join(' ')}`;
  const p = new ChorusProcess(name, args, { ...options, logLines: options.logLines ?? 200 });
  await p.waitForExit(options.timeoutMs ?? 60_000);
  return p.finished;
}
