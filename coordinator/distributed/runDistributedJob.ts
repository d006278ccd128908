import { NatsArtifactStore } from '../../cluster/artifacts/natsArtifactStore.ts';
import { JobFailedError, JobInterruptedError } from '../../core/errors.ts';
import type { JobEventHub } from './jobEventHub.ts';
import type { JobRecord } from '../../cluster/state/jobRecord.ts';
import type { KvJobStore } from '../nats/kvJobStore.ts';
import { KvStateStore } from '../nats/kvStateStore.ts';
import type { NatsResources } from '../../cluster/nats/natsResources.ts';
import { planJob } from '../planJob.ts';
import { produceReport } from '../produceReport.ts';
import { runTaskGraph } from '../scheduler.ts';
import { NatsExecutor } from './natsExecutor.ts';
import type { PreparedDataCache } from '../../cluster/jobData/preparedDataCache.ts';
import type { ResultRouter } from './resultRouter.ts';
import { RetryingStateStore } from './retryingStateStore.ts';
import { retryTransient } from './retryTransient.ts';
import type { SlotScheduler } from '../scheduling/slotScheduler.ts';
import type { Turns } from './turns.ts';

export interface JobRunnerDeps {
  resources: NatsResources;
  router: ResultRouter;
  jobs: KvJobStore;
  hub: JobEventHub;
  dataCache: PreparedDataCache;
  log: (line: string) => void;
  /** Tells workers to stop the job's running tasks (a core NATS broadcast). */
  stopWorkers?: (jobId: string) => void;
  /** The coordinator's turns for CPU-heavy steps (submissions, reports): see Turns. */
  turns?: Turns;
  /** How the job's tasks share the workers with other jobs' (without it, all are published at once). */
  slots?: SlotScheduler;
}

/** Why a job's run stopped early: a user's cancel, or the coordinator shutting down (it resumes later). */
export type StopReason = 'cancel' | 'shutdown';

/**
 * Runs one job on the coordinator: the same planner, scheduler and report as `chorus run`, with the
 * NATS executor and KV state. Everything is in KV, so a restarted coordinator calls this again for
 * every job still `running` and it carries on where it stopped.
 */
export async function runDistributedJob(
  deps: JobRunnerDeps,
  record: JobRecord,
  signal: AbortSignal,
  stopReason: () => StopReason | undefined,
  isNew = false,
): Promise<void> {
  const { names, js, state, objects } = deps.resources;
  const jobId = record.id;
  const job = record.job;
  const store = new NatsArtifactStore(objects, names.artifactPrefix(jobId));
  const kvState = new KvStateStore(state, names, jobId, { isNew });
  const log = deps.log;
  const executor = new NatsExecutor({
    jobId,
    js,
    names,
    state: kvState,
    router: deps.router,
    ...(deps.slots ? { slots: deps.slots } : {}),
    log,
  });
  const started = Date.now();
  // Only the report needs the data on the coordinator: load it now, while the workers train, so the
  // report does not wait for it at the end. A failed load is not cached; the report tries again.
  deps.dataCache.get(jobId, record, store).catch(() => undefined);
  // The job's state, report and outcome are written through NATS: retried while it restarts.
  const setStatus = (update: (r: JobRecord) => JobRecord) =>
    retryTransient(`recording the end of job ${jobId}`, () => deps.jobs.updateJob(jobId, update), { log });
  try {
    await runTaskGraph({
      tasks: planJob(job),
      store: new RetryingStateStore(kvState, { signal, log }),
      executor,
      // JetStream retries (nak, redelivery, MaxDeliver): the executor returns final outcomes only.
      maxAttempts: 1,
      runReport: async (_task, records) => {
        const reportStarted = performance.now();
        await retryTransient(
          `the report of job ${jobId}`,
          async () =>
            produceReport({
              job,
              store,
              records,
              data: await deps.dataCache.get(jobId, record, store),
              wallSeconds: (Date.now() - record.submittedAt) / 1000,
              ...(deps.turns ? { yieldTurn: deps.turns.next } : {}),
            }),
          { signal, log },
        );
        return { type: 'report' as const, seconds: (performance.now() - reportStarted) / 1000 };
      },
      onEvent: (event) => deps.hub.publish(jobId, event),
      signal,
    });
    await setStatus((r) => ({ ...r, status: 'done', finishedAt: Date.now() }));
    // Workers drop the job's data when told it is over; a word lost (NATS closed) costs nothing, as they
    // also notice on their own, later. The job is done either way.
    try {
      deps.stopWorkers?.(jobId);
    } catch (err) {
      log(`telling workers that job ${jobId} is over: ${String(err)}`);
    }
    deps.log(`job ${jobId} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    const reason = stopReason();
    if (err instanceof JobInterruptedError && reason === 'shutdown') return; // stays `running`: resumed on restart
    const status = err instanceof JobInterruptedError && reason === 'cancel' ? 'cancelled' : 'failed';
    // A JobFailedError's message names the task already ("task … failed: …").
    const message =
      err instanceof JobFailedError
        ? err.message
        : err instanceof Error
          ? `${err.name}: ${err.message}`
          : String(err);
    const failedTask = err instanceof JobFailedError ? { taskId: err.taskId, reason: err.reason } : undefined;
    await setStatus((r) => ({
      ...r,
      status,
      finishedAt: Date.now(),
      error: message,
      ...(failedTask ? { failedTask } : {}),
    }));
    // The job is over: tasks still running on workers (other members, say) would only waste them.
    deps.stopWorkers?.(jobId);
    deps.log(`job ${jobId} ${status}: ${message}`);
  } finally {
    await deps.dataCache
      .drop(jobId)
      .catch((err: unknown) => log(`removing job ${jobId}'s data: ${String(err)}`));
  }
}
