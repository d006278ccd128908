import type { SchedulerEvent } from '../../core/tasks/schedulerEvent.ts';
import type { ProgressReporter, RunInfo } from './progressReporter.ts';

/** `--json`: one JSON object per line on stdout, each with a `type` and a timestamp. */
export class JsonReporter implements ProgressReporter {
  constructor(private readonly write: (line: string) => void = (l) => process.stdout.write(l)) {}

  start(info: RunInfo): void {
    this.emit({ type: 'run-started', ...info });
  }

  event(event: SchedulerEvent): void {
    this.emit(event);
  }

  stop(): void {}

  private emit(value: object): void {
    this.write(`${JSON.stringify({ time: new Date().toISOString(), ...value })}\n`);
  }
}
