import { join } from 'node:path';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import type { PoolTask } from '../../core/tasks/task.ts';
import { startProcessMetrics, type ProcessMetrics } from './processMetrics.ts';
import type { ThreadMessage } from '../../worker/poolMessages.ts';
import { FileStateStore } from '../../coordinator/fileStateStore.ts';
import { planJob } from '../../coordinator/planJob.ts';
import type { JobReport } from '../../core/report/regressionReport.ts';
import type { SchedulerEvent } from '../../core/tasks/schedulerEvent.ts';
import { jobMetricsContext, type JobMetricsContext } from '../../coordinator/metrics/jobMetricsContext.ts';

/** The hooks `chorus run --metrics-port` passes to `runEmbedded`. */
export interface EmbeddedRunMetrics {
  readonly metrics: ProcessMetrics;
  onStart(info: { job: ResolvedJob; outDir: string; slots: number }): void;
  onEvent(event: SchedulerEvent): void;
  onThreadMessage(message: ThreadMessage, task: PoolTask): void;
  /** The job's report (written now, or by an earlier run it resumed). */
  onReport(report: JobReport): void;
  close(): Promise<void>;
}

/**
 * Coordinator and worker metrics of `chorus run` on one registry, served on `port` while the job
 * runs. The job's name is its `job_id`. Ready once the data is loaded and the pool started.
 */
export async function startEmbeddedRunMetrics(port: number, host?: string): Promise<EmbeddedRunMetrics> {
  let ctx: JobMetricsContext | undefined;
  let doneBefore: Promise<string[]> = Promise.resolve([]);
  const metrics = await startProcessMetrics({
    role: 'embedded',
    port,
    ...(host !== undefined ? { host } : {}),
    isReady: () => (ctx ? { ready: true } : { ready: false, reason: 'loading the job and its data' }),
  });
  return {
    metrics,
    onStart({ job, outDir, slots }) {
      ctx = jobMetricsContext(job.name, planJob(job));
      metrics.worker?.setSlots(slots);
      // A resumed run: the scheduler reports how many tasks were done before, not which.
      doneBefore = new FileStateStore(join(outDir, 'state.json'))
        .loadTasks()
        .then((records) => records.filter((r) => r.status === 'done').map((r) => r.id))
        .catch(() => []);
    },
    onEvent(event) {
      if (!ctx) return;
      metrics.onSchedulerEvent(event, ctx);
      if (event.type === 'job-started' && event.alreadyDone > 0) {
        const job = ctx.job;
        void doneBefore.then((ids) => metrics.coordinator?.observeAlreadyDone(job, ids));
      }
    },
    onThreadMessage(message, task) {
      if (!ctx) return;
      metrics.worker?.observeThreadMessage(message, { job: ctx.job, task: task.id, kind: task.type });
    },
    onReport(report) {
      if (ctx) metrics.coordinator?.observeReport(ctx.job, report);
    },
    close: () => metrics.close(),
  };
}
