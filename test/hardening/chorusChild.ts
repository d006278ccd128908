import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { REPO_ROOT } from '../pipeline/cli.ts';

const BIN = join(REPO_ROOT, 'cli', 'bin.mjs');
const KEEP_LINES = 2000;

/**
 * A long-running `chorus` process (coordinator or worker) started as a user would, `node cli/bin.mjs …`,
 * with its output kept for assertions. Killed by its own pid when the test ends.
 */
export class ChorusChild {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private partial = '';
  private readonly listeners = new Set<() => void>();

  constructor(
    t: TestContext,
    readonly name: string,
    args: readonly string[],
  ) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    const onData = (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
      if (this.lines.length > KEEP_LINES) this.lines.splice(0, this.lines.length - KEEP_LINES);
      for (const listener of [...this.listeners]) listener();
    };
    this.child.stdout?.setEncoding('utf8').on('data', onData);
    this.child.stderr?.setEncoding('utf8').on('data', onData);
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        for (const listener of [...this.listeners]) listener();
        resolve({ code, signal });
      });
    });
    t.after(async () => {
      if (this.alive) {
        this.child.kill('SIGKILL');
        await this.exited;
      }
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  log(): string {
    return [...this.lines, this.partial].join('\n');
  }

  /** Lines so far that match `re`. */
  matching(re: RegExp): string[] {
    return this.lines.filter((l) => re.test(l));
  }

  /** The first line matching `re`; rejects when the process exits first or after `timeoutMs`. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      const check = () => {
        for (const line of this.lines) {
          const m = re.exec(line);
          if (m) return done(() => resolve(m));
        }
        if (!this.alive)
          done(() => reject(new Error(`${this.name} exited before logging ${re}:\n${this.log()}`)));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`${this.name}: no ${re} within ${timeoutMs} ms:\n${this.log()}`))),
        timeoutMs,
      );
      this.listeners.add(check);
      check();
    });
  }
}
