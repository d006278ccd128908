import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { RunInfo } from '../../cli/progress/progressReporter.ts';
import type { Report } from '../../core/report/report.ts';
import type { SchedulerEvent } from '../../core/tasks/schedulerEvent.ts';
import type { TaskRecord } from '../../core/tasks/taskRecord.ts';
import { ChorusProcess, runChorus, type ChorusExit } from '../support/chorusProcess.ts';

/**
 * `chorus run` as the pipeline tests drive it (test/support/chorusProcess.ts starts it as a user
 * does): its `--json` events parsed, and helpers for run folders and output.
 */

export { REPO_ROOT } from '../support/chorusProcess.ts';

/** One line of `chorus run --json` output. */
export type CliEvent = { time?: string } & (
  ({ type: 'run-started' } & RunInfo) | SchedulerEvent | { type: 'report'; outDir: string; report: Report }
);

/** A running `chorus` process; with `--json`, its events are parsed as their lines arrive. */
export class CliProcess extends ChorusProcess {
  readonly events: CliEvent[] = [];
  private pending = '';

  constructor(args: readonly string[], t?: TestContext) {
    super(`chorus ${args[0] ?? ''}`, args, t ? { t } : {});
    this.child.stdout?.on('data', (chunk: string) => this.onStdout(chunk));
  }

  /**
   * Resolves once `check` holds for the events seen so far (checked after every event); rejects
   * when the process exits first or after `timeoutMs`.
   */
  async waitForEvents(
    check: (events: readonly CliEvent[]) => boolean,
    what: string,
    timeoutMs: number,
  ): Promise<void> {
    await this.waitUntil(() => (check(this.events) ? true : undefined), what, timeoutMs);
  }

  private onStdout(chunk: string): void {
    this.pending += chunk;
    let newline = this.pending.indexOf('\n');
    while (newline >= 0) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      if (line.trim() !== '') this.events.push(parseEventLine(line));
      newline = this.pending.indexOf('\n');
    }
    this.notifyWaiters();
  }
}

/** Starts `chorus <args>`; the process is killed (SIGKILL) when the test ends, if it still runs. */
export function startCli(t: TestContext, args: readonly string[]): CliProcess {
  return new CliProcess(args, t);
}

/** Runs `chorus <args>` to its exit; fails the test if it takes longer than `timeoutMs`. */
export function runCli(t: TestContext, args: readonly string[], timeoutMs = 60_000): Promise<ChorusExit> {
  return runChorus(args, { t, timeoutMs });
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
