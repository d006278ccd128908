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

/** The lines that differ between running a job here (`chorus run`) and following one on a coordinator. */
export interface ReporterWording {
  /** Shown when a job starts with tasks already done. */
  alreadyDone(done: number, total: number): string;
  /** Shown when the job is interrupted (Ctrl-C here) or cancelled (on the coordinator). */
  interrupted: string;
}

export const RUN_WORDING: ReporterWording = {
  alreadyDone: (done, total) => `resuming: ${done} of ${total} tasks already done`,
  interrupted: 'job interrupted; run the same command again to resume',
};

/** `chorus submit --wait` and `chorus watch`: the job runs on the coordinator, this process only follows it. */
export function followWording(jobId: string): ReporterWording {
  return {
    alreadyDone: (done, total) => `job ${jobId}: ${done} of ${total} tasks done`,
    interrupted: `job ${jobId} was cancelled`,
  };
}
