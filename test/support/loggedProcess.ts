import type { ChildProcess } from 'node:child_process';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Every child still running, SIGKILLed (by pid) if the test process exits without stopping it. */
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
 * A long-running child process (spawned with piped stdout and stderr) whose output is kept line by line,
 * the last `logLines` of it, for assertions and failure messages; and whole, stdout and stderr apart.
 */
export class LoggedProcess {
  readonly exited: Promise<ProcessExit>;
  private readonly lines: string[] = [];
  private partial = '';
  private stdoutText = '';
  private stderrText = '';
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly name: string,
    protected readonly child: ChildProcess,
    logLines: number,
  ) {
    hookExit();
    live.add(child);
    const onData = (chunk: string) => {
      this.partial += chunk;
      const parts = this.partial.split('\n');
      this.partial = parts.pop() ?? '';
      for (const line of parts) {
        this.lines.push(line);
        if (this.lines.length > logLines) this.lines.shift();
      }
      this.notifyWaiters();
    };
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdoutText += chunk;
      onData(chunk);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderrText += chunk;
      onData(chunk);
    });
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        live.delete(child);
        for (const w of [...this.waiters]) w();
        resolve({ code, signal });
      });
    });
  }

  /** Everything printed on standard output so far. */
  get stdout(): string {
    return this.stdoutText;
  }

  /** Everything printed on standard error so far. */
  get stderr(): string {
    return this.stderrText;
  }

  /** Standard output then standard error, whole. */
  get output(): string {
    return this.stdoutText + this.stderrText;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The output so far (stdout and stderr, interleaved by arrival). */
  log(): string {
    return [...this.lines, this.partial].join('\n');
  }

  /** Complete output lines so far. */
  outputLines(): readonly string[] {
    return this.lines;
  }

  /** Sends a signal to this process only (by its pid). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGKILL (this process only, by pid) and wait for it to be gone. */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }

  /** Resolves with the first line matching `re`; rejects if the process exits first or on timeout. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return this.waitUntil(
      () => {
        for (const line of this.lines) {
          const m = re.exec(line);
          if (m) return m;
        }
        return undefined;
      },
      `${re}`,
      timeoutMs,
    );
  }

  /** Resolves with the exit once the process has ended by itself; rejects (and kills it) on timeout. */
  async waitForExit(timeoutMs: number): Promise<ProcessExit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void this.kill();
        reject(new Error(`${this.name} did not exit within ${timeoutMs} ms\n${this.log()}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Re-checks every waiter (a subclass that derives state from the output calls it once the state is updated). */
  protected notifyWaiters(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves with what `probe` finds, checked on every output; rejects if the process exits first or on timeout. */
  protected waitUntil<T>(probe: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = probe();
        if (found !== undefined) return finish(() => resolve(found));
        if (!this.running)
          finish(() => reject(new Error(`${this.name} exited before logging ${what}\n${this.log()}`)));
      };
      const timer = setTimeout(
        () =>
          finish(() => reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms\n${this.log()}`))),
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
