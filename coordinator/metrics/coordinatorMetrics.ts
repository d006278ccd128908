import { Counter, Gauge, Histogram } from 'prom-client';
import { PRIORITIES } from '../../core/spec/priority.ts';
import type { BusySlotCount } from '../scheduling/slotScheduler.ts';
import type { Registry } from 'prom-client';
import type { TaskType } from '../../core/tasks/task.ts';
import { ensureDefaultMetrics } from '../../observability/defaultMetrics.ts';
import { TASK_KINDS } from './taskKinds.ts';
import type { Report } from '../../core/report/report.ts';
import { isRegressionReport, type JobReport } from '../../core/report/regressionReport.ts';
import type { SchedulerEvent } from '../../core/tasks/schedulerEvent.ts';
import type { JobMetricsContext } from './jobMetricsContext.ts';
import { JobTaskStates, METRIC_TASK_STATES } from './jobTaskStates.ts';

/** Job states as `chorus_jobs` counts them (active jobs only). */
export const ACTIVE_JOB_STATES = ['queued', 'running'] as const;
/** How a job ended, as `chorus_jobs_finished_total` counts it. */
export const JOB_OUTCOMES = ['done', 'failed', 'interrupted'] as const;
/** What an accuracy series measures. */
export type AccuracyRole = 'member' | 'ensemble' | 'teacher' | 'student';

/** Task durations run from a second (predict) to hours (a large member). */
const TASK_DURATION_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400];

export interface CoordinatorMetricsOptions {
  /**
   * How long a finished job's series (its accuracy) stay after the job ends, so that a scrape sees
   * the final numbers before `dropJob` removes them. Default 10 minutes; 0 drops them at once.
   */
  finishedJobTtlMs?: number;
  /** At most this many finished jobs keep their series; the oldest are dropped first. Default 10. */
  maxFinishedJobs?: number;
}

interface JobEntry {
  state: 'queued' | 'running' | 'finished';
  tasks: JobTaskStates;
  /** Label sets of this job's accuracy series, so `dropJob` can remove exactly them. */
  accuracy: Map<string, { role: AccuracyRole; name: string }>;
  dropTimer?: NodeJS.Timeout;
}

/**
 * The coordinator's metrics (prefix `chorus_`), fed by the scheduler's events, the reports, and the
 * distributed mode's servers. Series with a `job_id` label exist only while the job is active (plus
 * a short grace period after it ends), so label cardinality stays bounded by the active jobs.
 */
export class CoordinatorMetrics {
  readonly registry: Registry;
  private readonly jobs = new Map<string, JobEntry>();
  /** Finished jobs in the order they finished: the oldest are dropped first. */
  private readonly finished: string[] = [];
  private readonly ttlMs: number;
  private readonly maxFinished: number;
  /** Tasks dispatched to the broker that no worker has taken yet (distributed mode). */
  private brokerQueue = 0;
  /** Task counts changed since the gauges were last set. */
  private tasksDirty = true;

  private readonly jobsGauge: Gauge<'state'>;
  private readonly jobsFinished: Counter<'state'>;
  private readonly tasksGauge: Gauge<'kind' | 'state'>;
  private readonly tasksFinished: Counter<'kind' | 'outcome'>;
  private readonly taskFailures: Counter<'kind'>;
  private readonly taskRetries: Counter<'kind'>;
  private readonly taskDuration: Histogram<'kind'>;
  private readonly queueDepth: Gauge;
  private readonly workersConnected: Gauge;
  private readonly busySlots: Gauge<'priority' | 'client'>;
  private readonly predictionBytes: Counter;
  private readonly accuracyGauge: Gauge<'job_id' | 'role' | 'name'>;

  constructor(registry: Registry, options: CoordinatorMetricsOptions = {}) {
    this.registry = registry;
    this.ttlMs = options.finishedJobTtlMs ?? 10 * 60_000;
    this.maxFinished = options.maxFinishedJobs ?? 10;
    ensureDefaultMetrics(registry);
    const registers = [registry];
    this.jobsGauge = new Gauge({
      name: 'chorus_jobs',
      help: 'Active jobs by state (queued: accepted, not started; running).',
      labelNames: ['state'],
      registers,
    });
    this.jobsFinished = new Counter({
      name: 'chorus_jobs_finished_total',
      help: 'Jobs that ended, by how they ended (done, failed, interrupted).',
      labelNames: ['state'],
      registers,
    });
    this.tasksGauge = new Gauge({
      name: 'chorus_tasks',
      help: 'Tasks of active jobs by kind and state (pending, running, done, failed).',
      labelNames: ['kind', 'state'],
      registers,
      // Counted when scraped, not at every event: recounting per event grows with events × tasks.
      collect: () => this.refreshTasksIfDirty(),
    });
    this.tasksFinished = new Counter({
      name: 'chorus_tasks_finished_total',
      help: 'Tasks that reached a final state, by kind and outcome (done, failed).',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.taskFailures = new Counter({
      name: 'chorus_task_failures_total',
      help: 'Failed task attempts by kind, retried or not.',
      labelNames: ['kind'],
      registers,
    });
    this.taskRetries = new Counter({
      name: 'chorus_task_retries_total',
      help: 'Task attempts scheduled again after a retryable failure (or redelivered), by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.taskDuration = new Histogram({
      name: 'chorus_task_duration_seconds',
      help: "Wall-clock seconds of a task's successful attempt, by kind.",
      labelNames: ['kind'],
      buckets: TASK_DURATION_BUCKETS,
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'chorus_queue_depth',
      collect: () => this.refreshTasksIfDirty(),
      help: 'Tasks of active jobs that are ready to run (dependencies done) but not running: not yet dispatched, or waiting in the work queue for a worker.',
      registers,
    });
    this.workersConnected = new Gauge({
      name: 'chorus_workers_connected',
      help: 'Workers with a live heartbeat.',
      registers,
    });
    this.busySlots = new Gauge({
      name: 'chorus_busy_slots',
      help: 'Worker slots running this coordinator\'s tasks, by their job\'s priority class and the client token that submitted it (client "-" without authentication).',
      labelNames: ['priority', 'client'],
      registers,
    });
    this.predictionBytes = new Counter({
      name: 'chorus_prediction_bytes_received_total',
      help: 'Bytes of prediction and logit chunks received from workers.',
      registers,
    });
    this.accuracyGauge = new Gauge({
      name: 'chorus_accuracy',
      help: 'Test accuracy (0-1) of active jobs, by role (member, ensemble, teacher, student) and name.',
      labelNames: ['job_id', 'role', 'name'],
      registers,
    });
    // Zero series for every fixed label value: sums, rates and alerts see them before the first event.
    for (const state of ACTIVE_JOB_STATES) this.jobsGauge.set({ state }, 0);
    for (const state of JOB_OUTCOMES) this.jobsFinished.inc({ state }, 0);
    for (const kind of TASK_KINDS) {
      for (const outcome of ['done', 'failed']) this.tasksFinished.inc({ kind, outcome }, 0);
      this.taskFailures.inc({ kind }, 0);
      this.taskRetries.inc({ kind }, 0);
      this.taskDuration.zero({ kind });
    }
    this.tasksDirty = true;
  }

  /** A job was accepted but has not started (distributed mode: data upload, planning). */
  jobQueued(jobId: string): void {
    const entry = this.jobs.get(jobId);
    if (entry && entry.state !== 'finished') return;
    this.clearJob(jobId);
    this.jobs.set(jobId, { state: 'queued', tasks: new JobTaskStates(), accuracy: new Map() });
    this.refreshJobs();
  }

  /** Feeds one scheduler event; pass it every event of `runTaskGraph`'s `onEvent`. */
  observeSchedulerEvent(event: SchedulerEvent, ctx: JobMetricsContext): void {
    switch (event.type) {
      case 'job-started': {
        this.clearJob(ctx.job);
        this.jobs.set(ctx.job, {
          state: 'running',
          tasks: new JobTaskStates(ctx.tasks, ctx.alreadyDone),
          accuracy: new Map(),
        });
        this.refreshJobs();
        this.tasksDirty = true;
        return;
      }
      case 'task-started':
        this.running(ctx)?.tasks.started(event.id, this.kind(event.id, ctx));
        this.tasksDirty = true;
        return;
      case 'task-progress':
        return;
      case 'task-done': {
        const kind = this.kind(event.id, ctx);
        this.taskDuration.observe({ kind }, event.seconds);
        this.tasksFinished.inc({ kind, outcome: 'done' });
        this.running(ctx)?.tasks.set(event.id, kind, 'done');
        this.tasksDirty = true;
        return;
      }
      case 'task-failed': {
        const kind = this.kind(event.id, ctx);
        this.taskFailures.inc({ kind });
        if (event.willRetry) this.taskRetries.inc({ kind });
        else this.tasksFinished.inc({ kind, outcome: 'failed' });
        this.running(ctx)?.tasks.set(event.id, kind, event.willRetry ? 'pending' : 'failed');
        this.tasksDirty = true;
        return;
      }
      case 'job-done':
        this.jobEnded(ctx.job, 'done');
        return;
      case 'job-failed':
        this.jobEnded(ctx.job, 'failed');
        return;
      case 'job-interrupted':
        this.jobEnded(ctx.job, 'interrupted');
        return;
    }
  }

  /**
   * A retry the scheduler did not see: JetStream delivers a task again (distributed mode). With
   * `failed`, the attempt before it failed (a worker reported it), which counts as a failure too.
   */
  observeRetry(kind: TaskType, options: { failed?: boolean } = {}): void {
    this.taskRetries.inc({ kind });
    if (options.failed) this.taskFailures.inc({ kind });
  }

  /**
   * Tasks a resumed job had finished before this run: done, not pending (the scheduler says only
   * how many there are). Tasks of jobs that are not running are ignored.
   */
  observeAlreadyDone(jobId: string, taskIds: Iterable<string>): void {
    const entry = this.jobs.get(jobId);
    if (!entry || entry.state !== 'running') return;
    for (const id of taskIds) entry.tasks.markDone(id);
    this.tasksDirty = true;
  }

  /** Bytes of prediction/logit chunks received over gRPC. */
  observePredictionBytes(bytes: number): void {
    if (bytes > 0) this.predictionBytes.inc(bytes);
  }

  /**
   * Tasks waiting for a worker (distributed mode: the scheduler counts a task as started once it is
   * handed to the executor, which holds it back for a place in the work queue's window or has put it
   * there). Added to the queue depth.
   */
  setBrokerQueueDepth(count: number): void {
    if (!Number.isFinite(count) || count < 0) return;
    this.brokerQueue = count;
    this.tasksDirty = true;
  }

  setWorkersConnected(count: number): void {
    this.workersConnected.set(count);
  }

  /**
   * Busy slots by priority and client, replacing the last counts (a client whose jobs hold none drops
   * out). Clients are the tokens file's names: a bounded set.
   */
  setBusySlots(counts: readonly BusySlotCount[]): void {
    this.busySlots.reset();
    for (const priority of PRIORITIES) this.busySlots.set({ priority, client: '-' }, 0);
    for (const c of counts) this.busySlots.inc({ priority: c.priority, client: c.client ?? '-' }, c.slots);
  }

  /** One accuracy series of a job, e.g. a member scored as soon as its predictions arrive. */
  observeAccuracy(jobId: string, role: AccuracyRole, name: string, accuracy: number): void {
    if (!Number.isFinite(accuracy)) return;
    const entry = this.jobs.get(jobId);
    // Only jobs the coordinator knows get series: an unknown id could never be dropped.
    if (!entry) return;
    entry.accuracy.set(`${role}\n${name}`, { role, name });
    this.accuracyGauge.set({ job_id: jobId, role, name }, accuracy);
  }

  /** Every accuracy a job's report holds: members, ensemble methods, teacher, students (none for regression). */
  observeReport(jobId: string, jobReport: JobReport): void {
    if (isRegressionReport(jobReport)) return;
    const report: Report = jobReport;
    for (const m of report.members) this.observeAccuracy(jobId, 'member', m.name, m.accuracy);
    const e = report.ensemble;
    if (e.hard) this.observeAccuracy(jobId, 'ensemble', 'hard', e.hard.accuracy);
    if (e.soft) this.observeAccuracy(jobId, 'ensemble', 'soft', e.soft.accuracy);
    if (e.stacking) this.observeAccuracy(jobId, 'ensemble', 'stacking', e.stacking.accuracy);
    this.observeAccuracy(jobId, 'teacher', 'teacher', report.teacher.accuracy);
    for (const s of report.students) this.observeAccuracy(jobId, 'student', s.name, s.accuracy);
  }

  /** Removes every series of a job and forgets it. */
  dropJob(jobId: string): void {
    this.clearJob(jobId);
    this.refreshJobs();
    this.tasksDirty = true;
  }

  /** Job ids that still have series (active, or finished within the grace period). */
  jobIds(): string[] {
    return [...this.jobs.keys()];
  }

  /** Cancels the pending drops of finished jobs (their series stay until `dropJob`). */
  close(): void {
    for (const entry of this.jobs.values()) clearTimeout(entry.dropTimer);
  }

  private running(ctx: JobMetricsContext): JobEntry | undefined {
    let entry = this.jobs.get(ctx.job);
    if (!entry || entry.state === 'finished') {
      // Events of a job whose start we missed (a coordinator that re-attached to it).
      this.clearJob(ctx.job);
      entry = { state: 'running', tasks: new JobTaskStates(ctx.tasks, ctx.alreadyDone), accuracy: new Map() };
      this.jobs.set(ctx.job, entry);
      this.refreshJobs();
    }
    return entry;
  }

  private kind(taskId: string, ctx: JobMetricsContext): TaskType {
    return this.jobs.get(ctx.job)?.tasks.kindOf(taskId) ?? ctx.kindOf(taskId);
  }

  private jobEnded(jobId: string, outcome: (typeof JOB_OUTCOMES)[number]): void {
    this.jobsFinished.inc({ state: outcome });
    const entry = this.jobs.get(jobId);
    if (!entry) return;
    entry.state = 'finished';
    // Its tasks leave the counts now; its accuracy stays for the grace period.
    entry.tasks = new JobTaskStates();
    this.refreshJobs();
    this.tasksDirty = true;
    this.finished.push(jobId);
    while (this.finished.length > this.maxFinished) {
      const oldest = this.finished[0];
      if (oldest !== undefined) this.dropJob(oldest);
    }
    if (!this.jobs.has(jobId)) return;
    if (this.ttlMs <= 0) {
      this.dropJob(jobId);
      return;
    }
    entry.dropTimer = setTimeout(() => this.dropJob(jobId), this.ttlMs);
    // A pending drop must not keep a finished process alive.
    entry.dropTimer.unref();
  }

  private clearJob(jobId: string): void {
    const entry = this.jobs.get(jobId);
    if (!entry) return;
    clearTimeout(entry.dropTimer);
    for (const { role, name } of entry.accuracy.values()) {
      this.accuracyGauge.remove({ job_id: jobId, role, name });
    }
    this.jobs.delete(jobId);
    const i = this.finished.indexOf(jobId);
    if (i >= 0) this.finished.splice(i, 1);
  }

  private refreshJobs(): void {
    const counts = { queued: 0, running: 0 };
    for (const entry of this.jobs.values()) if (entry.state !== 'finished') counts[entry.state]++;
    for (const state of ACTIVE_JOB_STATES) this.jobsGauge.set({ state }, counts[state]);
  }

  /** Recounts tasks by kind and state over the active jobs (a few hundred tasks: cheap). */
  private refreshTasksIfDirty(): void {
    if (!this.tasksDirty) return;
    this.tasksDirty = false;
    this.refreshTasks();
  }

  private refreshTasks(): void {
    const counts = new Map<string, number>();
    let ready = 0;
    for (const entry of this.jobs.values()) {
      entry.tasks.addCounts(counts);
      ready += entry.tasks.ready();
    }
    for (const kind of TASK_KINDS) {
      for (const state of METRIC_TASK_STATES) {
        this.tasksGauge.set({ kind, state }, counts.get(`${kind} ${state}`) ?? 0);
      }
    }
    this.queueDepth.set(ready + this.brokerQueue);
  }
}

/** The coordinator's metrics on `registry`, with the default process metrics. */
export function createCoordinatorMetrics(
  registry: Registry,
  options: CoordinatorMetricsOptions = {},
): CoordinatorMetrics {
  return new CoordinatorMetrics(registry, options);
}
