import type { SchedulerEvent } from '../../core/tasks/schedulerEvent.ts';
import type { TaskProgress } from '../../core/tasks/taskProgress.ts';
import {
  RUN_WORDING,
  type ProgressReporter,
  type ReporterWording,
  type RunInfo,
} from './progressReporter.ts';

/** Log lines for pipes and CI logs: one per task start/finish, and one per epoch of training. */
export class PlainReporter implements ProgressReporter {
  private total = 0;
  private done = 0;
  private readonly lastEpoch = new Map<string, number>();

  constructor(
    private readonly write: (line: string) => void = (l) => process.stderr.write(l),
    private readonly wording: ReporterWording = RUN_WORDING,
  ) {}

  start(info: RunInfo): void {
    const c = info.counts;
    this.line(
      `job ${info.job}: ${c.train} train / ${c.validation} validation / ${c.test} test samples, ${c.classes} classes; ${info.slots} slot(s); output ${info.outDir}`,
    );
  }

  event(e: SchedulerEvent): void {
    switch (e.type) {
      case 'job-started':
        this.total = e.total;
        this.done = e.alreadyDone;
        if (e.alreadyDone > 0) this.line(this.wording.alreadyDone(e.alreadyDone, e.total));
        break;
      case 'task-started':
        this.line(`start ${e.id}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`);
        break;
      case 'task-progress':
        this.progress(e.id, e.progress);
        break;
      case 'task-done':
        this.done++;
        this.line(`done  ${e.id} in ${e.seconds.toFixed(1)} s [${this.done}/${this.total}]`);
        break;
      case 'task-failed':
        this.line(`FAIL  ${e.id} (attempt ${e.attempt}): ${e.error}${e.willRetry ? ' - will retry' : ''}`);
        break;
      case 'job-done':
        this.line(`job done in ${e.seconds.toFixed(1)} s`);
        break;
      case 'job-failed':
        this.line(`job failed: task ${e.taskId}: ${e.error}`);
        break;
      case 'job-interrupted':
        this.line(this.wording.interrupted);
        break;
    }
  }

  stop(): void {}

  private progress(id: string, p: TaskProgress): void {
    // One line per finished epoch keeps logs short.
    if (p.epoch === undefined || p.batch !== p.batches) return;
    if (this.lastEpoch.get(id) === p.epoch) return;
    this.lastEpoch.set(id, p.epoch);
    const loss = p.loss !== undefined ? ` loss ${p.loss.toFixed(4)}` : '';
    const rate = p.samplesPerSecond !== undefined ? ` ${Math.round(p.samplesPerSecond)} samples/s` : '';
    this.line(`      ${id} epoch ${p.epoch}/${p.epochs ?? '?'}${loss}${rate}`);
  }

  private line(text: string): void {
    this.write(`${text}\n`);
  }
}
