import type { SchedulerEvent } from '../../core/tasks/schedulerEvent.ts';

/** What a progress display is told when a run starts. */
export interface RunInfo {
  job: string;
  outDir: string;
  slots: number;
  counts: { train: number; validation: number; test: number; classes: number };
}

/** Shows a run's progress: live lines on a terminal, plain log lines otherwise, or JSON events. */
export interface ProgressReporter {
  start(info: RunInfo): void;
  event(event: SchedulerEvent): void;
  /** Clears any live display; called before the final table is printed. */
  stop(): void;
}
