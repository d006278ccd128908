import { randomUUID } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { PoolTask } from '../../core/tasks/task.ts';
import type { Executor, RunOptions } from '../../core/tasks/executor.ts';
import type { TaskOutcome } from '../../core/tasks/taskOutcome.ts';
import type { KvStateStore } from '../nats/kvStateStore.ts';
import type { KvTaskRecord } from '../../cluster/state/kvTaskRecord.ts';
import type { NatsNames } from '../../cluster/nats/natsNames.ts';
import type { TaskRecord } from '../../core/tasks/taskRecord.ts';
import { encodeMessage } from '../../cluster/messages/codec.ts';
import { type ResultMessage } from '../../cluster/messages/resultMessage.ts';
import { type TaskMessage } from '../../cluster/messages/taskMessage.ts';
import type { ResultRouter } from './resultRouter.ts';
import { retryTransient } from './retryTransient.ts';

/** In a task's KV record: the dispatch whose message was published to the work queue. */
export interface QueuedMark {
  dispatchId?: string;
  queued?: string;
}

export interface NatsExecutorOptions {
  jobId: string;
  js: JetStreamClient;
  names: NatsNames;
  state: KvStateStore;
  router: ResultRouter;
  /** Tasks in flight at once; workers pull at their own pace, so this only bounds the queue. */
  maxInFlight?: number;
  log?: (line: string) => void;
}

/**
 * The distributed mode's executor: a task becomes a message on the JetStream work queue, tagged with
 * a fresh dispatch id recorded in KV; the run resolves when that dispatch's final result arrives.
 * Retries are JetStream's (nak, redelivery, MaxDeliver), so only final outcomes come back.
 */
export class NatsExecutor implements Executor {
  readonly slots: number;
  private readonly o: NatsExecutorOptions;

  constructor(options: NatsExecutorOptions) {
    this.o = options;
    this.slots = options.maxInFlight ?? 1000;
  }

  async run(task: PoolTask, run: RunOptions): Promise<TaskOutcome> {
    const dispatchId = randomUUID();
    await this.retry(`recording the dispatch of ${task.id}`, run, async () => {
      const current = await this.o.state.knownTask(task.id);
      await this.o.state.putTaskIfNewer({
        ...(current ?? { id: task.id, status: 'running', attempts: run.attempt }),
        dispatchId,
      });
    });
    const outcome = this.wait(task, dispatchId, run);
    await this.retry(`queueing ${task.id}`, run, () => this.publish(task, dispatchId));
    await this.markQueued(task.id, dispatchId, run);
    return outcome;
  }

  /**
   * After a coordinator restart: wait for the dispatch recorded in KV instead of starting a new one.
   * A dispatch known to be on the work queue is not published again: its message is still queued or
   * running, or its result waits in the durable result stream. Publishing it again is safe only
   * within the stream's duplicate window (2 min): after a longer outage the copy would be a second
   * message, run a second time (concurrently, if the first still ran). One the coordinator died
   * before publishing is published now (a repeated result is ignored: a dispatch resolves once).
   */
  async reattach(task: PoolTask, record: TaskRecord & QueuedMark, run: RunOptions): Promise<TaskOutcome> {
    if (!record.dispatchId) return this.run(task, run);
    const dispatchId = record.dispatchId;
    const outcome = this.wait(task, dispatchId, run);
    if (record.queued !== dispatchId)
      await this.retry(`queueing ${task.id}`, run, () => this.publish(task, dispatchId));
    // Again: the scheduler's own record of this attempt has just replaced the mark.
    await this.markQueued(task.id, dispatchId, run);
    return outcome;
  }

  async close(): Promise<void> {}

  /**
   * Records that the dispatch's message is on the work queue (unless the task has moved on). Best
   * effort: without the mark, a restarted coordinator publishes the dispatch again (see reattach).
   */
  private async markQueued(taskId: string, dispatchId: string, run: RunOptions): Promise<void> {
    await this.retry(`recording that ${taskId} is queued`, run, async () => {
      const current: (KvTaskRecord & QueuedMark) | undefined = await this.o.state.knownTask(taskId);
      if (!current || current.dispatchId !== dispatchId || current.status !== 'running') return;
      const marked: KvTaskRecord & QueuedMark = { ...current, queued: dispatchId };
      await this.o.state.putTaskIfNewer(marked);
    }).catch((err: unknown) => this.o.log?.(`${taskId}: could not mark it queued: ${String(err)}`));
  }

  /** NATS operations of a dispatch are retried while the server restarts (see retryTransient). */
  private retry<T>(what: string, run: RunOptions, op: () => Promise<T>): Promise<T> {
    return retryTransient(what, op, { signal: run.signal, ...(this.o.log ? { log: this.o.log } : {}) });
  }

  private async publish(task: PoolTask, dispatchId: string): Promise<void> {
    const message: TaskMessage = { jobId: this.o.jobId, taskId: task.id, dispatchId, task };
    await this.o.js.publish(this.o.names.taskSubject(this.o.jobId), encodeMessage(message), {
      msgID: dispatchId,
    });
  }

  private wait(task: PoolTask, dispatchId: string, run: RunOptions): Promise<TaskOutcome> {
    return new Promise<TaskOutcome>((resolve) => {
      const onAbort = () => {
        this.o.router.unregister(dispatchId);
        resolve({
          ok: false,
          error: { name: 'AbortError', message: 'the job was cancelled', retryable: false },
        });
      };
      if (run.signal.aborted) return onAbort();
      run.signal.addEventListener('abort', onAbort, { once: true });
      this.o.router.register(dispatchId, {
        interim: (r: ResultMessage) => {
          if (!r.outcome.ok) {
            run.onProgress({
              message: `attempt ${r.deliveries} failed on ${r.worker}: ${r.outcome.error.message}; retrying`,
            });
          }
        },
        final: async (r: ResultMessage) => {
          run.signal.removeEventListener('abort', onAbort);
          // Record before acking the result: a coordinator that dies now finds it in KV.
          const now = Date.now();
          const stored = await this.o.state.knownTask(task.id);
          await this.o.state.putTaskIfNewer({
            ...(stored ?? { id: task.id, attempts: run.attempt }),
            id: task.id,
            dispatchId,
            deliveries: r.deliveries,
            status: r.outcome.ok ? 'done' : 'failed',
            ...(r.outcome.ok
              ? { result: r.outcome.result }
              : { error: `${r.outcome.error.name}: ${r.outcome.error.message}` }),
            finishedAt: now,
          });
          resolve(r.outcome);
        },
      });
    });
  }
}
