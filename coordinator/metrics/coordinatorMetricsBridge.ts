import { NotLeaderError } from '../../cluster/errors.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import type { JobEvent, JobStatus, ReportText, WorkerInfo } from '../../cluster/api/apiTypes.ts';
import { planJob } from '../planJob.ts';
import type { Report } from '../../core/report/report.ts';
import type { CoordinatorMetrics } from './coordinatorMetrics.ts';
import type { BusySlotCount } from '../scheduling/slotScheduler.ts';
import { jobMetricsContext, type JobMetricsContext } from './jobMetricsContext.ts';

/** What the bridge reads from the coordinator service, besides the events it is given. */
export interface CoordinatorMetricsSource {
  /** Which tasks of a resumed job were done before this run. */
  getJob(jobId: string): Promise<JobStatus>;
  /** A finished job's report: its accuracy series. */
  getReport(jobId: string): Promise<ReportText>;
  /** Workers with a live heartbeat (the workers bucket expires the others). */
  listWorkers(): Promise<WorkerInfo[]>;
  /** Tasks in the work queue that no worker has taken yet. */
  queuedTasks?(): Promise<number>;
  /** Slots running the coordinator's tasks, by priority and client. */
  busySlots?(): BusySlotCount[];
}

export interface CoordinatorMetricsBridgeOptions {
  /** How often to count the connected workers and the queued tasks (default 5 s, the workers' heartbeat). */
  workersIntervalMs?: number;
  /** After a task event, the queue is read again within this delay (default 250 ms). */
  queueDelayMs?: number;
  log?: (line: string) => void;
}

/**
 * Feeds the coordinator process's metrics from the distributed mode's hooks: job events (with the
 * job's plan, so pending tasks and the queue are counted), logit bytes, retries, reports of
 * finished jobs, and the number of connected workers. Every hook is synchronous and never throws:
 * the lookups it needs run in the background, and their failures are only logged.
 */
export class CoordinatorMetricsBridge {
  private readonly metrics: CoordinatorMetrics;
  private readonly contexts = new Map<string, JobMetricsContext>();
  private readonly intervalMs: number;
  private readonly queueDelayMs: number;
  private queueTimer: NodeJS.Timeout | undefined;
  private readonly log: (line: string) => void;
  private source: CoordinatorMetricsSource | undefined;
  /** Lookups that wait for `attach` (events of resumed jobs arrive while the service starts). */
  private waiting: ((source: CoordinatorMetricsSource) => Promise<void>)[] = [];
  private readonly pending = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(metrics: CoordinatorMetrics, options: CoordinatorMetricsBridgeOptions = {}) {
    this.metrics = metrics;
    this.intervalMs = options.workersIntervalMs ?? 5000;
    this.queueDelayMs = options.queueDelayMs ?? 250;
    this.log = options.log ?? (() => {});
  }

  /** `onJobEvent` of `startCoordinator`. */
  onJobEvent(stamped: JobEvent, job: ResolvedJob | undefined): void {
    const { jobId, event } = stamped;
    const ctx = this.contextOf(jobId, job);
    this.metrics.observeSchedulerEvent(event, ctx);
    // Dispatches and finished tasks change the work queue: read it soon, once for a burst of events.
    if (event.type !== 'task-progress') this.readQueueSoon();
    switch (event.type) {
      case 'job-started':
        if (event.alreadyDone > 0) {
          this.later(`tasks of ${jobId}`, async (source) => {
            const status = await source.getJob(jobId);
            const done = status.tasks.filter((t) => t.state === 'done').map((t) => t.id);
            this.metrics.observeAlreadyDone(jobId, done);
          });
        }
        return;
      case 'job-done':
        this.contexts.delete(jobId);
        // The report task ran before this event: its accuracy stays while the finished job's series do.
        this.later(`report of ${jobId}`, async (source) => {
          const report = JSON.parse((await source.getReport(jobId)).json) as Report;
          this.metrics.observeReport(jobId, report);
        });
        return;
      case 'job-failed':
      case 'job-interrupted':
        this.contexts.delete(jobId);
        return;
      default:
        return;
    }
  }

  /** `onLogitBytes` of `startCoordinator`. */
  onLogitBytes(bytes: number): void {
    this.metrics.observePredictionBytes(bytes);
  }

  /** `onRetry` of `startCoordinator`: a worker's attempt failed and the task goes back on the queue. */
  onRetry(jobId: string, taskId: string): void {
    const ctx = this.contexts.get(jobId) ?? jobMetricsContext(jobId, []);
    this.metrics.observeRetry(ctx.kindOf(taskId), { failed: true });
  }

  /** A standby has no workers or queue to report (its leader does): that is not worth a log line every few seconds. */
  private logUnlessStandby(line: string, err: unknown): void {
    if (!(err instanceof NotLeaderError)) this.log(line);
  }

  /** Starts counting workers and runs the lookups that waited for the service. */
  attach(source: CoordinatorMetricsSource): void {
    this.source = source;
    for (const run of this.waiting) this.track(run(source));
    this.waiting = [];
    const count = () => {
      this.track(
        source
          .listWorkers()
          .then((workers) => this.metrics.setWorkersConnected(workers.length))
          .catch((err: unknown) =>
            this.logUnlessStandby(`metrics: cannot count workers: ${String(err)}`, err),
          ),
      );
      this.readQueue();
    };
    count();
    this.timer = setInterval(count, this.intervalMs);
    this.timer.unref();
  }

  /** Resolves when every background lookup started so far has finished (tests). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.queueTimer);
  }

  private readQueue(): void {
    const source = this.source;
    if (source?.busySlots && !this.closed) this.metrics.setBusySlots(source.busySlots());
    if (!source?.queuedTasks || this.closed) return;
    this.track(
      source
        .queuedTasks()
        .then((n) => this.metrics.setBrokerQueueDepth(n))
        .catch((err: unknown) =>
          this.logUnlessStandby(`metrics: cannot read the work queue: ${String(err)}`, err),
        ),
    );
  }

  private readQueueSoon(): void {
    if (this.queueTimer || this.closed) return;
    this.queueTimer = setTimeout(() => {
      this.queueTimer = undefined;
      this.readQueue();
    }, this.queueDelayMs);
    this.queueTimer.unref();
  }

  private contextOf(jobId: string, job: ResolvedJob | undefined): JobMetricsContext {
    let ctx = this.contexts.get(jobId);
    if (!ctx) {
      // Without the job (an event after it left the service), kinds come from the task ids.
      ctx = jobMetricsContext(jobId, job ? planJob(job) : []);
      this.contexts.set(jobId, ctx);
    }
    return ctx;
  }

  private later(what: string, run: (source: CoordinatorMetricsSource) => Promise<void>): void {
    const guarded = async (source: CoordinatorMetricsSource) => {
      if (this.closed) return;
      await run(source).catch((err: unknown) => this.log(`metrics: cannot read the ${what}: ${String(err)}`));
    };
    if (this.source) this.track(guarded(this.source));
    else this.waiting.push(guarded);
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}
