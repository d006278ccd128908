import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findIp } from './ipCommand.ts';

const LOG_LINES = 1000;
const SETPRIV = '/usr/bin/setpriv';

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
 * A long-running process inside a network namespace (`ip netns exec <ns> <command> …`, which execs
 * in place: the child's pid is the command's own), with its output kept, line by line, for
 * assertions and failure messages.
 */
export class NsProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private partial = '';
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly ns: string,
    command: string,
    args: readonly string[],
    options: { cwd?: string; env?: Readonly<Record<string, string>> } = {},
  ) {
    hookExit();
    const bin = findIp();
    if (!bin) throw new Error('the `ip` command (iproute2) is not installed');
    // setpriv (util-linux) execs in place too, with a parent-death signal: should the test process be
    // SIGKILLed, nothing it started in a namespace outlives it.
    const orphanGuard = existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'KILL'] : [];
    this.child = spawn(bin, ['netns', 'exec', ns, ...orphanGuard, command, ...args], {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...options.env },
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

  /** Output so far (stdout and stderr interleaved by arrival). */
  log(): string {
    return [...this.lines, this.partial].join('\n');
  }

  /** Complete output lines so far. */
  outputLines(): readonly string[] {
    return this.lines;
  }

  /** SIGKILL (this process only, by pid) and wait for it to be gone. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Resolves with the first line matching `re`; rejects if the process exits first or on timeout. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return this.waitFor(
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
  async waitForExit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
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

  private waitFor<T>(probe: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
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
