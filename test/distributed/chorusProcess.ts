import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../pipeline/cli.ts';

const BIN = join(REPO_ROOT, 'cli', 'bin.mjs');
const LOG_LINES = 400;

/** Every child still running, killed (SIGKILL, by pid) if the test process exits without cleaning up. */
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
 * One long-running `chorus` process (coordinator or worker) started as a user would
 * (`node cli/bin.mjs …`), with its stderr log kept for assertions and failure messages.
 */
export class ChorusProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private partial = '';
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly name: string,
    args: readonly string[],
    env: Readonly<Record<string, string>> = {},
  ) {
    hookExit();
    this.child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
    });
    live.add(this.child);
    const onData = (chunk: string) => {
      this.partial += chunk;
      const parts = this.partial.split('\n');
      this.partial = parts.pop() ?? '';
      for (const line of parts) {
        this.lines.push(line);
        if (this.lines.length > LOG_LINES) this.lines.shift();
      }
      for (const w of [...this.waiters]) w();
    };
    this.child.stdout?.setEncoding('utf8').on('data', onData);
    this.child.stderr?.setEncoding('utf8').on('data', onData);
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        live.delete(this.child);
        for (const w of [...this.waiters]) w();
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The process's output so far (stdout and stderr, interleaved by arrival). */
  log(): string {
    return [...this.lines, this.partial].join('\n');
  }

  /** Sends a signal to this process only (by its pid). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGKILL and wait for the exit. */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }

  /** Resolves with the first log line matching `re`; rejects if the process exits first or on timeout. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (const line of this.lines) {
          const m = re.exec(line);
          if (m) return finish(() => resolve(m));
        }
        if (!this.running)
          finish(() => reject(new Error(`${this.name} exited before logging ${re}\n${this.log()}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`${this.name}: no ${re} within ${timeoutMs} ms\n${this.log()}`))),
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
}
