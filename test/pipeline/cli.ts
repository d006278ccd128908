import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RunInfo } from '../../cli/progress/progressReporter.ts';
import type { Report } from '../../core/report/report.ts';
import type { SchedulerEvent } from '../../core/tasks/schedulerEvent.ts';
import type { TaskRecord } from '../../core/tasks/taskRecord.ts';

/**
 * Runs the real `chorus` command (`node cli/bin.mjs …`) as a child process from the repository root,
 * the way a user does: no mocks, real worker threads, real files.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO_ROOT, 'cli', 'bin.mjs');

/** One line of `chorus run --json` output. */
export type CliEvent = { time?: string } & (
  ({ type: 'run-started' } & RunInfo) | SchedulerEvent | { type: 'report'; outDir: string; report: Report }
);

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall-clock seconds from spawn to exit. */
  seconds: number;
}

/** A running `chorus` process; with `--json`, its events are parsed as their lines arrive. */
export class CliProcess {
  readonly events: CliEvent[] = [];
  readonly exited: Promise<CliExit>;
  private readonly child: ChildProcess;
  private stdout = '';
  private stderr = '';
  private pending = '';
  private readonly waiters: { check: () => boolean; resolve: () => void }[] = [];

  constructor(args: readonly string[]) {
    const started = performance.now();
    this.child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // A plain, non-TTY environment: no colours, no live progress display.
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => {
        this.notify();
        resolve({
          code,
          signal,
          stdout: this.stdout,
          stderr: this.stderr,
          seconds: (performance.now() - started) / 1000,
        });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a signal to this process (by its pid), if it still runs. */
  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /**
   * Resolves once `check` holds for the events seen so far (checked after every event); rejects
   * when the process exits first or after `timeoutMs`.
   */
  async waitUntil(
    check: (events: readonly CliEvent[]) => boolean,
    what: string,
    timeoutMs: number,
  ): Promise<void> {
    if (check(this.events)) return;
    let timer: NodeJS.Timeout | undefined;
    let waiter: { check: () => boolean; resolve: () => void } | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.stderr}`)),
          timeoutMs,
        );
        waiter = { check: () => check(this.events), resolve };
        this.waiters.push(waiter);
        void this.exited.then((exit) => {
          if (!check(this.events)) {
            reject(new Error(`chorus exited (code ${exit.code}) before ${what}\n${exit.stderr}`));
          }
        });
      });
    } finally {
      clearTimeout(timer);
      const i = waiter ? this.waiters.indexOf(waiter) : -1;
      if (i >= 0) this.waiters.splice(i, 1);
    }
  }

  private onStdout(chunk: string): void {
    this.stdout += chunk;
    this.pending += chunk;
    let newline = this.pending.indexOf('\n');
    while (newline >= 0) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      if (line.trim() !== '') this.events.push(parseEventLine(line));
      newline = this.pending.indexOf('\n');
    }
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) if (w.check()) w.resolve();
  }
}

/** Starts `chorus <args>`; the process is killed (SIGKILL) when the test ends, if it still runs. */
export function startCli(t: TestContext, args: readonly string[]): CliProcess {
  const cli = new CliProcess(args);
  t.after(async () => {
    if (cli.running) {
      cli.kill('SIGKILL');
      await cli.exited.catch(() => undefined);
    }
  });
  return cli;
}

/** Runs `chorus <args>` to its exit; fails the test if it takes longer than `timeoutMs`. */
export async function runCli(t: TestContext, args: readonly string[], timeoutMs = 60_000): Promise<CliExit> {
  const cli = startCli(t, args);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cli.kill('SIGKILL');
      reject(new Error(`chorus ${args.join(' ')} did not exit within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([cli.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Parses one `--json` line; a line that is not a JSON object with a `type` fails loudly. */
export function parseEventLine(line: string): CliEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`not a JSON line on stdout: ${line.slice(0, 200)}`);
  }
  if (value === null || typeof value !== 'object' || typeof (value as { type?: unknown }).type !== 'string') {
    throw new Error(`a JSON line without a "type": ${line.slice(0, 200)}`);
  }
  return value as CliEvent;
}

/** Every line of a `--json` run's stdout, parsed. */
export function parseEvents(stdout: string): CliEvent[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(parseEventLine);
}

export function ofType<K extends CliEvent['type']>(
  events: readonly CliEvent[],
  type: K,
): Extract<CliEvent, { type: K }>[] {
  return events.filter((e): e is Extract<CliEvent, { type: K }> => e.type === type);
}

/** A fresh temporary folder, removed when the test ends. */
export async function tempDir(t: TestContext, prefix = 'chorus-pipeline-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The task records of a run's `state.json`. */
export async function readState(outDir: string): Promise<TaskRecord[]> {
  const state = JSON.parse(await readFile(join(outDir, 'state.json'), 'utf8')) as { tasks?: TaskRecord[] };
  if (!Array.isArray(state.tasks)) throw new Error(`${outDir}/state.json has no "tasks" list`);
  return state.tasks;
}

/** Lines that betray a stack trace or Node internals in what a user sees. */
export function stackTraceLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => /^\s+at\s/.test(l) || l.includes('node:internal') || /\.ts:\d+:\d+/.test(l));
}
