import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LoggedProcess } from '../test/support/loggedProcess.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../cli/bin.mjs', import.meta.url));

/**
 * A long-running `chorus coordinator` or `chorus worker` started as a user would (`node cli/bin.mjs …`).
 * Every output line is kept (the load benchmark reads the workers' whole task log: each line starts
 * with the ISO time the process wrote it); it is SIGKILLed if the bench process exits without stopping it.
 */
export class ChorusDaemon extends LoggedProcess {
  constructor(name: string, args: readonly string[]) {
    // CHORUS_BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the coordinator there, to find what stalls it.
    const profileDir = name === 'coordinator' ? process.env.CHORUS_BENCH_CPU_PROF : undefined;
    const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    super(name, child, Number.POSITIVE_INFINITY);
  }

  /** The last lines, for error messages. */
  tail(n = 20): string {
    return this.outputLines().slice(-n).join('\n');
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
