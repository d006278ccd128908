import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../cli/bin.mjs', import.meta.url));

/** Every daemon still running, SIGKILLed by pid if the bench process exits without stopping it. */
const live = new Set<ChildProcess>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/**
 * A long-running `chorus coordinator` or `chorus worker` started as a user would (`node cli/bin.mjs …`).
 * Every output line is kept with its arrival, since the load benchmark reads the workers' task log
 * (each line starts with the ISO time the process wrote it).
 */
export class ChorusDaemon {
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private partial = '';
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly name: string,
    args: readonly string[],
  ) {
    hookExit();
    // CHORUS_BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the coordinator there, to find what stalls it.
    const profileDir = name === 'coordinator' ? process.env.CHORUS_BENCH_CPU_PROF : undefined;
    const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    this.child = spawn(process.execPath, [...nodeArgs, BIN, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    live.add(this.child);
    const onData = (chunk: string) => {
      this.partial += chunk;
      const parts = this.partial.split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
      for (const w of [...this.waiters]) w();
    };
    this.child.stdout?.setEncoding('utf8').on('data', onData);
    this.child.stderr?.setEncoding('utf8').on('data', onData);
    this.exited = new Promise((resolve) => {
      this.child.once('close', () => {
        live.delete(this.child);
        for (const w of [...this.waiters]) w();
        resolve();
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Every line written so far. */
  logLines(): readonly string[] {
    return this.lines;
  }

  /** The last lines, for error messages. */
  tail(n = 20): string {
    return [...this.lines.slice(-n), this.partial].join('\n');
  }

  /** The first line matching `re` (searching from line `from`); rejects on exit or timeout. */
  waitForLine(re: RegExp, timeoutMs: number, from = 0): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = from; i < this.lines.length; i++) {
          const m = re.exec(this.lines[i]!);
          if (m) return finish(() => resolve(m));
        }
        if (!this.running)
          finish(() => reject(new Error(`${this.name} exited before ${re}:\n${this.tail()}`)));
      };
      const timer = setTimeout(
        () =>
          finish(() => reject(new Error(`${this.name}: no ${re} within ${timeoutMs} ms:\n${this.tail()}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** SIGTERM (a worker drains, the coordinator shuts down), SIGKILL after `graceMs`; by this pid only. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const force = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(force);
  }
}
