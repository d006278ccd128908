import { setMaxListeners } from 'node:events';
import { JobFailedError, JobInterruptedError } from '../core/errors.ts';
import type { PoolTask, ReportTask, Task } from '../core/tasks/task.ts';
import type { TaskProgress } from '../core/tasks/taskProgress.ts';
import type { TaskResult } from '../core/tasks/taskResult.ts';
import { toFailure } from '../core/tasks/toFailure.ts';
import type { Executor } from '../core/tasks/executor.ts';
import type { TaskOutcome } from '../core/tasks/taskOutcome.ts';
import type { SchedulerEvent } from '../core/tasks/schedulerEvent.ts';
import type { StateStore } from './stateStore.ts';
import type { TaskRecord } from '../core/tasks/taskRecord.ts';

export interface ScheduleOptions {
  tasks: Task[];
  store: StateStore;
  executor: Executor;
  /** Attempts per task before the job fails. */
  maxAttempts: number;
  /** Runs the report task where the scheduler is (it aggregates, it does not train). */
  runReport: (task: ReportTask, records: ReadonlyMap<string, TaskRecord>) => Promise<TaskResult>;
  onEvent?: (event: SchedulerEvent) => void;
  /** Aborting stops dispatch, cancels running tasks and saves them as pending for a resume. */
  signal?: AbortSignal;
}

/**
 * Runs a task graph to completion: dispatches every task whose dependencies are done, up to the
 * executor's slots; retries retryable failures up to `maxAttempts`; saves each transition to the
 * store. Tasks already done in the store are not run again (resume).
 */
export async function runTaskGraph(options: ScheduleOptions): Promise<Map<string, TaskRecord>> {
  const { tasks, store, executor, maxAttempts } = options;
  const emit = options.onEvent ?? (() => {});
  const started = Date.now();
  const records = new Map<string, TaskRecord>();
  const saved = new Map((await store.loadTasks()).map((r) => [r.id, r]));
  /** Attempts that were running when the scheduler last stopped and that the executor can pick up. */
  const reattach = new Map<string, TaskRecord>();
  for (const t of tasks) {
    const old = saved.get(t.id);
    if (old?.status === 'running' && executor.reattach && t.type !== 'report') {
      reattach.set(t.id, old);
      records.set(t.id, { ...old, status: 'pending', attempts: old.attempts - 1 });
      continue;
    }
    // A task that was running when the process died, or failed in an earlier run, starts afresh.
    records.set(t.id, old?.status === 'done' ? old : { id: t.id, status: 'pending', attempts: 0 });
  }
  const alreadyDone = [...records.values()].filter((r) => r.status === 'done').length;
  emit({ type: 'job-started', total: tasks.length, alreadyDone });

  const abort = new AbortController();
  // Every running task listens on this signal; with hundreds in flight that is expected, not a leak.
  setMaxListeners(0, abort.signal);
  const onOuterAbort = () => abort.abort();
  // A signal aborted before we got here (Ctrl-C while the data loaded) never fires 'abort' again.
  if (options.signal?.aborted) abort.abort();
  else options.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const running = new Map<string, Promise<void>>();
  let failure: JobFailedError | undefined;
  const put = async (r: TaskRecord) => {
    records.set(r.id, r);
    await store.putTask(r);
  };

  const isReady = (t: Task) =>
    records.get(t.id)?.status === 'pending' && t.deps.every((d) => records.get(d)?.status === 'done');

  const runOne = async (task: Task): Promise<void> => {
    const prev = records.get(task.id);
    const attempt = (prev?.attempts ?? 0) + 1;
    // A re-attached attempt keeps its original start time.
    const startedAt = reattach.get(task.id)?.startedAt ?? Date.now();
    await put({ id: task.id, status: 'running', attempts: attempt, startedAt });
    emit({ type: 'task-started', id: task.id, attempt });
    let outcome: TaskOutcome;
    if (task.type === 'report') {
      outcome = await options.runReport(task, records).then(
        (result): TaskOutcome => ({ ok: true, result }),
        (err: unknown): TaskOutcome => ({ ok: false, error: toFailure(err) }),
      );
    } else {
      const runOptions = {
        attempt,
        signal: abort.signal,
        onProgress: (progress: TaskProgress) => emit({ type: 'task-progress', id: task.id, progress }),
      };
      const previous = reattach.get(task.id);
      reattach.delete(task.id);
      outcome =
        previous && executor.reattach
          ? await executor.reattach(task as PoolTask, previous, runOptions)
          : await executor.run(task as PoolTask, runOptions);
    }
    if (abort.signal.aborted && !outcome.ok) {
      await put({ id: task.id, status: 'pending', attempts: attempt - 1 });
      return;
    }
    if (outcome.ok) {
      const finishedAt = Date.now();
      await put({
        id: task.id,
        status: 'done',
        attempts: attempt,
        result: outcome.result,
        startedAt,
        finishedAt,
      });
      emit({
        type: 'task-done',
        id: task.id,
        result: outcome.result,
        seconds: (finishedAt - startedAt) / 1000,
      });
      return;
    }
    const error = `${outcome.error.name}: ${outcome.error.message}`;
    const willRetry = outcome.error.retryable && attempt < maxAttempts;
    emit({ type: 'task-failed', id: task.id, attempt, error, willRetry });
    await put({ id: task.id, status: willRetry ? 'pending' : 'failed', attempts: attempt, error, startedAt });
    if (!willRetry && !failure) {
      failure = new JobFailedError(task.id, outcome.error.message);
      abort.abort();
    }
  };

  try {
    // One wake-up per finished task, instead of Promise.race over every running task each round
    // (which attaches a new reaction to each of them every time).
    let wake = () => {};
    let poolBusy = 0;
    let unexpected: { error: unknown } | undefined;
    for (;;) {
      const woken = new Promise<void>((resolve) => (wake = resolve));
      if (!abort.signal.aborted) {
        for (const t of tasks) {
          const isReport = t.type === 'report';
          if (!isReport && poolBusy >= executor.slots) continue;
          if (running.has(t.id) || !isReady(t)) continue;
          if (!isReport) poolBusy++;
          const p = runOne(t)
            .catch((err: unknown) => {
              // The state store (or the report) failed: stop dispatching and fail the run with it.
              unexpected ??= { error: err };
              abort.abort();
            })
            .finally(() => {
              running.delete(t.id);
              if (!isReport) poolBusy--;
              wake();
            });
          running.set(t.id, p);
        }
      }
      if (running.size === 0) break;
      await woken;
    }
    if (unexpected) throw unexpected.error;
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }

  if (failure) {
    // The event names the task in its own field: its error is the reason alone.
    emit({ type: 'job-failed', taskId: failure.taskId, error: failure.reason });
    throw failure;
  }
  if (abort.signal.aborted) {
    emit({ type: 'job-interrupted' });
    throw new JobInterruptedError('the job was interrupted; run the same command again to resume');
  }
  const stuck = [...records.values()].filter((r) => r.status !== 'done');
  if (stuck.length > 0) {
    // Cannot happen with a planner-made graph; guards against a dependency on a missing task.
    throw new JobFailedError(stuck[0]?.id ?? '?', 'its dependencies can never complete');
  }
  emit({ type: 'job-done', seconds: (Date.now() - started) / 1000 });
  return records;
}
