import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { NatsNames } from '../../cluster/nats/natsNames.ts';
import { decodeMessage } from '../../cluster/messages/codec.ts';
import { resultMessageSchema, type ResultMessage } from '../../cluster/messages/resultMessage.ts';
import { taskMessageSchema } from '../../cluster/messages/taskMessage.ts';
import { pullOne } from '../../cluster/nats/pullOne.ts';

/** What the router does with a result it cannot match to a waiting dispatch. */
export type OrphanVerdict = 'stale' | 'wait';

export interface DispatchWaiter {
  /** A final result (success, or failure after the last delivery); handled before the message is acked. */
  final(result: ResultMessage): Promise<void>;
  /** A failed attempt that JetStream will redeliver. */
  interim(result: ResultMessage): void;
  /**
   * The worker gave the slot back (preemption, a drain) and acked the message: the task needs a new
   * dispatch, recorded before the message is acked.
   */
  yielded(result: ResultMessage): Promise<void>;
}

export interface ResultRouterOptions {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  names: NatsNames;
  /** Decides whether an unmatched result is stale (superseded: drop it) or early (keep it for later). */
  classifyOrphan: (result: ResultMessage) => Promise<OrphanVerdict>;
  log?: (line: string) => void;
  /** Called with each failed attempt that JetStream will deliver again (metrics count retries). */
  onRetry?: (result: ResultMessage) => void;
}

/** How long an early result waits before JetStream hands it back (its dispatch may not be registered yet). */
const EARLY_RESULT_DELAY_MS = 1000;

/**
 * Reads the result stream and the stream of MAX_DELIVERIES advisories (durable consumers both, so
 * what was published while the coordinator was down is still delivered), and routes each to the
 * dispatch waiting for it. A message is acked only after its waiter has handled it (recorded it in KV).
 */
export class ResultRouter {
  private readonly waiters = new Map<string, DispatchWaiter>();
  /** Last failure seen per dispatch, to explain a task that ran out of deliveries. */
  private readonly lastError = new Map<string, string>();
  private readonly o: ResultRouterOptions;
  private stopped = false;
  /**
   * Never aborted: stop() lets the pull in progress run out (up to PULL_EXPIRES_MS), because a
   * result the server sends into an abandoned pull would wait a whole AckWait to come back.
   */
  private readonly neverAborted = new AbortController().signal;
  private loops: Promise<void>[] = [];

  constructor(options: ResultRouterOptions) {
    this.o = options;
  }

  register(dispatchId: string, waiter: DispatchWaiter): void {
    this.waiters.set(dispatchId, waiter);
  }

  unregister(dispatchId: string): void {
    this.waiters.delete(dispatchId);
    this.lastError.delete(dispatchId);
  }

  start(): void {
    const { names } = this.o;
    this.loops = [
      this.consume(names.resultStream, names.resultConsumer, 'result', (m) => this.onResult(m)),
      this.consume(names.advisoryStream, names.advisoryConsumer, 'advisory', (m) => this.onAdvisory(m)),
    ];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops.map((l) => l.catch(() => undefined)));
  }

  private async consume(
    stream: string,
    name: string,
    what: string,
    handle: (msg: JsMsg) => Promise<void>,
  ): Promise<void> {
    const consumer = await this.o.js.consumers.get(stream, name);
    while (!this.stopped) {
      let msg: JsMsg | null;
      try {
        msg = await pullOne(consumer, this.neverAborted);
      } catch (err) {
        // Closed (a shutdown that gave up waiting for NATS): nothing to retry on.
        if (this.stopped || this.o.nc.isClosed()) return;
        this.o.log?.(`${what} consumer: ${String(err)}; retrying`);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (msg) await handle(msg);
    }
  }

  private async onResult(msg: JsMsg): Promise<void> {
    let result: ResultMessage;
    try {
      result = decodeMessage(resultMessageSchema, msg.data, 'result message');
    } catch (err) {
      this.o.log?.(`dropping a malformed result: ${(err as Error).message}`);
      msg.term();
      return;
    }
    const waiter = this.waiters.get(result.dispatchId);
    try {
      if (!waiter) {
        const verdict = await this.o.classifyOrphan(result);
        if (verdict === 'stale') {
          // E.g. a worker cut off past AckWait: the task was redelivered and has a result already.
          this.o.log?.(
            `ignoring a stale result of ${result.taskId} (job ${result.jobId}, dispatch ${result.dispatchId}, ` +
              `delivery ${result.deliveries}, worker ${result.worker || '?'})`,
          );
          msg.ack();
        } else msg.nak(EARLY_RESULT_DELAY_MS);
        return;
      }
      if (result.yielded) {
        // Not a failure: no retry is counted, and the next dispatch uses no attempt.
        await waiter.yielded(result);
        this.unregister(result.dispatchId);
        msg.ack();
        return;
      }
      if (!result.final) {
        if (!result.outcome.ok) this.lastError.set(result.dispatchId, result.outcome.error.message);
        waiter.interim(result);
        this.o.onRetry?.(result);
        msg.ack();
        return;
      }
      await waiter.final(result);
      this.unregister(result.dispatchId);
      msg.ack();
    } catch (err) {
      // Could not record it (e.g. KV unavailable): let JetStream deliver it again.
      this.o.log?.(`result of ${result.taskId}: ${String(err)}; will retry`);
      msg.nak(EARLY_RESULT_DELAY_MS);
    }
  }

  /** A task message ran out of deliveries (e.g. its worker died on the last attempt). */
  private async onAdvisory(msg: JsMsg): Promise<void> {
    try {
      const advisory = msg.json<{ stream_seq?: unknown; deliveries?: unknown }>();
      const seq = advisory.stream_seq;
      if (typeof seq !== 'number') {
        this.o.log?.('dropping a max-deliveries advisory without a stream_seq');
        msg.term();
        return;
      }
      const deliveries = typeof advisory.deliveries === 'number' ? advisory.deliveries : undefined;
      const verdict = await this.onMaxDeliveries(seq, deliveries);
      if (verdict === 'wait') msg.nak(EARLY_RESULT_DELAY_MS);
      else msg.ack();
    } catch (err) {
      this.o.log?.(`max-deliveries advisory: ${String(err)}; will retry`);
      msg.nak(EARLY_RESULT_DELAY_MS);
    }
  }

  /**
   * Fails the dispatch whose task message (`seq` in the task stream) ran out of deliveries, then
   * removes the message (a work queue keeps an unacked message forever). `wait`: its dispatch is not
   * registered yet (a coordinator starting up), so the advisory must come back later.
   */
  private async onMaxDeliveries(seq: number, deliveries: number | undefined): Promise<'done' | 'wait'> {
    const stored = await this.o.jsm.streams.getMessage(this.o.names.taskStream, { seq }).catch(() => null);
    if (!stored) return 'done'; // already handled and removed
    const task = decodeMessage(taskMessageSchema, stored.data, 'task message');
    const last = this.lastError.get(task.dispatchId) ?? 'the worker stopped answering (killed or lost)';
    const failure: ResultMessage = {
      jobId: task.jobId,
      taskId: task.taskId,
      dispatchId: task.dispatchId,
      final: true,
      // Attempts, as a worker counts them: earlier dispatches' (a yield used none) plus this one's.
      deliveries: (task.priorAttempts ?? 0) + (deliveries ?? 0),
      worker: '',
      outcome: {
        ok: false,
        error: {
          name: 'MaxDeliveriesError',
          message: `gave up after ${deliveries ?? '?'} deliveries: ${last}`,
          retryable: false,
        },
      },
    };
    const waiter = this.waiters.get(task.dispatchId);
    if (!waiter && (await this.o.classifyOrphan(failure)) === 'wait') return 'wait';
    if (waiter) {
      await waiter.final(failure);
      this.unregister(task.dispatchId);
    }
    await this.o.jsm.streams.deleteMessage(this.o.names.taskStream, seq).catch(() => false);
    return 'done';
  }
}
