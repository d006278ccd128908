import { Registry } from 'prom-client';
import { CoordinatorMetrics } from '../../coordinator/metrics/coordinatorMetrics.ts';
import type { CoordinatorMetricsOptions } from '../../coordinator/metrics/coordinatorMetrics.ts';
import type { JobMetricsContext } from '../../coordinator/metrics/jobMetricsContext.ts';
import type { SchedulerEvent } from '../../core/tasks/schedulerEvent.ts';
import { WorkerMetrics } from '../../worker/metrics/workerMetrics.ts';
import { ChorusError } from '../../core/errors.ts';
import {
  DEFAULT_METRICS_PORTS,
  MetricsPortError,
  startMetricsServer,
} from '../../observability/metricsServer.ts';
import type { MetricsServer } from '../../observability/metricsServer.ts';
import type { Readiness } from '../../observability/readiness.ts';

/** Which metrics a process has: `embedded` is `chorus run`, coordinator and worker in one. */
export type MetricsRole = 'coordinator' | 'worker' | 'embedded';

export interface ProcessMetricsOptions {
  role: MetricsRole;
  /** Default 9464 (coordinator, embedded) or 9465 (worker); 0 picks a free port. */
  port?: number;
  host?: string;
  isReady?: () => Readiness | Promise<Readiness>;
  coordinator?: CoordinatorMetricsOptions;
}

export interface ProcessMetrics {
  readonly registry: Registry;
  /** Present for `coordinator` and `embedded`. */
  readonly coordinator: CoordinatorMetrics | undefined;
  /** Present for `worker` and `embedded`. */
  readonly worker: WorkerMetrics | undefined;
  readonly server: MetricsServer;
  /**
   * Feeds a scheduler event to the coordinator metrics; in embedded mode also to the worker metrics
   * (busy slots, loss per running task), since the pool runs in this process.
   */
  onSchedulerEvent(event: SchedulerEvent, ctx: JobMetricsContext): void;
  close(): Promise<void>;
}

/** One process's registry, metrics and metrics server: the few lines each CLI command needs. */
export async function startProcessMetrics(options: ProcessMetricsOptions): Promise<ProcessMetrics> {
  const registry = new Registry();
  const hasCoordinator = options.role !== 'worker';
  const coordinator = hasCoordinator ? new CoordinatorMetrics(registry, options.coordinator) : undefined;
  const worker = options.role !== 'coordinator' ? new WorkerMetrics(registry) : undefined;
  const port =
    options.port ?? (hasCoordinator ? DEFAULT_METRICS_PORTS.coordinator : DEFAULT_METRICS_PORTS.worker);
  let server: MetricsServer;
  try {
    server = await startMetricsServer({
      port,
      registry,
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.isReady ? { isReady: options.isReady } : {}),
    });
  } catch (err) {
    coordinator?.close();
    // A Chorus error: the CLI prints it as one line (exit 1), not as an unexpected failure.
    throw err instanceof MetricsPortError ? new ChorusError(err.message, { cause: err }) : err;
  }
  const embedded = options.role === 'embedded';
  return {
    registry,
    coordinator,
    worker,
    server,
    onSchedulerEvent(event, ctx) {
      coordinator?.observeSchedulerEvent(event, ctx);
      if (!embedded || !worker || !('id' in event)) return;
      const kind = ctx.kindOf(event.id);
      // The report runs on the coordinator's side, not in a pool slot.
      if (kind === 'report') return;
      const task = { job: ctx.job, task: event.id, kind };
      if (event.type === 'task-started') worker.taskStarted(task);
      else if (event.type === 'task-progress') worker.observeTaskProgress(event.progress, task);
      else worker.taskEnded(task);
    },
    async close() {
      coordinator?.close();
      await server.close();
    },
  };
}
