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
import type { SlotLease, SlotScheduler } from '../scheduling/slotScheduler.ts';

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
  /**
   * The coordinator's share of the cluster between jobs: each dispatch waits here for a place in the
   * work queue's window. Without it every ready task is published at once.
   */
  slots?: SlotScheduler;
  /** Tasks in flight at once; workers pull at their own pace, so this only bounds the queue. */
  maxInFlight?: number;
  log?: (line: string) => void;
}

/** How one dispatch ended: a final outcome, or the worker gave the slot back (the next dispatch is recorded). */
type DispatchEnd =
  | { kind: 'final'; outcome: TaskOutcome }
  | { kind: 'yielded'; next: string; priorAttempts: number; worker: string };

/** Where a task's next dispatch starts from. */
interface DispatchStart {
  /** Recorded in KV already (a re-attach, or the dispatch after a yield); undefined: a new one. */
  dispatchId?: string;
  priorAttempts: number;
  /** Its message is on the work queue already: it holds a place without waiting for one. */
  onQueue: boolean;
  /** It gave its slot back: it goes before its job's other waiting tasks. */
  front: boolean;
}

const ABORTED: TaskOutcome = {
  ok: false,
  error: { name: 'AbortError', message: 'the job was cancelled', retryable: false },
};

/**
 * The distributed mode's executor: a task becomes a message on the JetStream work queue, tagged with
 * a fresh dispatch id recorded in KV, once the slot scheduler grants it a place; the run resolves when
 * that dispatch's final result arrives. Retries are JetStream's (nak, redelivery, MaxDeliver), so only
 * final outcomes come back. A dispatch whose worker gave the slot back (preemption, a drain) is
 * followed by a new one, which waits for a place again and uses no attempt.
 */
export class NatsExecutor implements Executor {
  readonly slots: number;
  private readonly o: NatsExecutorOptions;

  constructor(options: NatsExecutorOptions) {
    this.o = options;
    this.slots = options.maxInFlight ?? 1000;
  }

  run(task: PoolTask, run: RunOptions): Promise<TaskOutcome> {
    return this.dispatchUntilFinal(task, run, { priorAttempts: 0, onQueue: false, front: false });
  }

  /**
   * After a coordinator restart: wait for the dispatch recorded in KV instead of starting a new one.
   * A dispatch known to be on the work queue is not published again: its message is still queued or
   * running, or its result waits in the durable result stream. Publishing it again is safe only
   * within the stream's duplicate window (2 min): after a longer outage the copy would be a second
   * message, run a second time (concurrently, if the first still ran). One the coordinator died
   * before publishing is published once it has a place (a repeated result is ignored: a dispatch
   * resolves once).
   */
  reattach(
    task: PoolTask,
    record: TaskRecord & QueuedMark & KvTaskRecord,
    run: RunOptions,
  ): Promise<TaskOutcome> {
    if (!record.dispatchId) return this.run(task, run);
    return this.dispatchUntilFinal(task, run, {
      dispatchId: record.dispatchId,
      priorAttempts: record.priorAttempts ?? 0,
      onQueue: record.queued === record.dispatchId,
      front: false,
    });
  }

  async close(): Promise<void> {}

  private async dispatchUntilFinal(
    task: PoolTask,
    run: RunOptions,
    first: DispatchStart,
  ): Promise<TaskOutcome> {
    let start = first;
    for (;;) {
      const dispatchId = start.dispatchId ?? randomUUID();
      if (start.dispatchId === undefined) await this.record(task, dispatchId, start.priorAttempts, run);
      let lease: SlotLease | undefined;
      try {
        if (start.onQueue) lease = this.o.slots?.hold(this.o.jobId, task.id, dispatchId);
        else lease = await this.o.slots?.acquire(this.o.jobId, task.id, run.signal, { front: start.front });
      } catch {
        return ABORTED; // cancelled (or the coordinator stopping) while it waited for a place
      }
      try {
        lease?.dispatched(dispatchId);
        const ended = this.wait(task, dispatchId, run);
        if (!start.onQueue) {
          await this.retry(`queueing ${task.id}`, run, () =>
            this.publish(task, dispatchId, start.priorAttempts),
          );
        }
        // Again after a re-attach: the scheduler's own record of this attempt has just replaced the mark.
        await this.markQueued(task.id, dispatchId, run);
        const end = await ended;
        if (end.kind === 'final') return end.outcome;
        run.onProgress({ message: `gave its slot back on ${end.worker || 'its worker'}; requeued` });
        start = { dispatchId: end.next, priorAttempts: end.priorAttempts, onQueue: false, front: true };
      } finally {
        lease?.release();
      }
    }
  }

  /** Records the task's dispatch in KV: from now on a worker holding an earlier one drops it. */
  private async record(
    task: PoolTask,
    dispatchId: string,
    priorAttempts: number,
    run: RunOptions,
  ): Promise<void> {
    await this.retry(`recording the dispatch of ${task.id}`, run, async () => {
      const current = await this.o.state.knownTask(task.id);
      await this.o.state.putTaskIfNewer({
        ...(current ?? { id: task.id, status: 'running', attempts: run.attempt }),
        dispatchId,
        ...(priorAttempts > 0 ? { priorAttempts } : {}),
      });
    });
  }

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

  private async publish(task: PoolTask, dispatchId: string, priorAttempts: number): Promise<void> {
    const message: TaskMessage = {
      jobId: this.o.jobId,
      taskId: task.id,
      dispatchId,
      task,
      ...(priorAttempts > 0 ? { priorAttempts } : {}),
    };
    await this.o.js.publish(this.o.names.taskSubject(this.o.jobId), encodeMessage(message), {
      msgID: dispatchId,
    });
  }

  private wait(task: PoolTask, dispatchId: string, run: RunOptions): Promise<DispatchEnd> {
    return new Promise<DispatchEnd>((resolve) => {
      const onAbort = () => {
        this.o.router.unregister(dispatchId);
        resolve({ kind: 'final', outcome: ABORTED });
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
        yielded: async (r: ResultMessage) => {
          run.signal.removeEventListener('abort', onAbort);
          // The next dispatch is recorded before the yield is acknowledged: a worker holding this one
          // (a redelivery) drops it from now on, and a coordinator that dies now publishes the next.
          const next = randomUUID();
          const priorAttempts = r.deliveries - 1;
          const stored = await this.o.state.knownTask(task.id);
          // The yielded dispatch's deliveries and attempts before it are not the next one's.
          const {
            deliveries: _deliveries,
            priorAttempts: _prior,
            ...kept
          } = stored ?? {
            id: task.id,
            attempts: run.attempt,
          };
          await this.o.state.putTaskIfNewer({
            ...kept,
            id: task.id,
            status: 'running',
            dispatchId: next,
            ...(priorAttempts > 0 ? { priorAttempts } : {}),
          });
          resolve({ kind: 'yielded', next, priorAttempts, worker: r.worker });
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
          resolve({ kind: 'final', outcome: r.outcome });
        },
      });
    });
  }
}
