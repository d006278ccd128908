import type { TaskOutcome } from '../../core/tasks/taskOutcome.ts';

/** The longest a retryable failure waits before JetStream redelivers it. */
export const MAX_RETRY_DELAY_MS = 30_000;

/** What happened to one delivery while it ran, as the settle step sees it. */
export interface DeliveryEnd {
  outcome: TaskOutcome;
  /** Cut off from NATS for AckWait: JetStream may have handed the task to another worker. */
  leaseLost: boolean;
  /** The job was cancelled (or failed) while the task ran. */
  cancelled: boolean;
  /** Asked to give its slot back: by the coordinator (preemption) or by this worker's drain. */
  yieldRequested: boolean;
  /** Stopped by this worker (its drain ran out of time, or a task without checkpoints was preempted). */
  drained: boolean;
  /**
   * The attempt this delivery was: the task's attempts before this dispatch (`priorAttempts`) plus the
   * message's JetStream deliveries so far (1 on the first attempt).
   */
  attempt: number;
  /** Attempts a task gets (the task consumer's MaxDeliver). */
  maxDeliver: number;
}

/** After a result is published: how the delivery itself is settled. */
export type AfterPublish = { ack: 'ack' } | { ack: 'term'; reason: string } | { ack: 'nak'; delayMs: number };

/**
 * How a worker settles a delivery once its task has stopped:
 * - `abandon`: send nothing on this delivery (its lease ran out: an ack, nak or term would act on the
 *   redelivery another worker now holds);
 * - `ack-cancelled`: take it off the queue without a result (the job has ended);
 * - `requeue`: the task gave its slot back (preemption, a drain) after checkpointing what it could:
 *   publish a `yielded` result, then ack; the coordinator dispatches it again, and the attempt does
 *   not count (should the publish fail, nak at once instead: JetStream redelivers it, as an attempt);
 * - `publish`: publish the result (`final` when no redelivery will follow), then settle as `after`.
 */
export type Settlement =
  | { kind: 'abandon' }
  | { kind: 'ack-cancelled' }
  | { kind: 'requeue' }
  | { kind: 'publish'; final: boolean; after: AfterPublish };

/** Failures that mean "stopped on request", not "went wrong": a yield's, or an abort's. */
const STOPPED_ON_REQUEST = new Set(['TaskYieldedError', 'AbortError']);

/** The settle decision, a pure function of how the delivery ended. */
export function decideSettlement(end: DeliveryEnd): Settlement {
  // Checked first: an ack or nak of a superseded delivery would act on the new holder's.
  if (end.leaseLost) return { kind: 'abandon' };
  if (end.cancelled) return { kind: 'ack-cancelled' };
  const { outcome } = end;
  // A task that finished although it was asked to yield is done: its result counts.
  if (outcome.ok) return { kind: 'publish', final: true, after: { ack: 'ack' } };
  // Stopped by this worker (whatever error the stop surfaced as), or yielded as it was asked to.
  if (end.drained || (end.yieldRequested && STOPPED_ON_REQUEST.has(outcome.error.name))) {
    return { kind: 'requeue' };
  }
  const final = !outcome.error.retryable || end.attempt >= end.maxDeliver;
  return {
    kind: 'publish',
    final,
    after: final
      ? { ack: 'term', reason: outcome.error.message.slice(0, 200) }
      : { ack: 'nak', delayMs: retryDelayMs(end.attempt) },
  };
}

/** Backoff of a retryable failure: 1 s after the first attempt, doubling, at most MAX_RETRY_DELAY_MS. */
export function retryDelayMs(attempt: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** Math.max(0, attempt - 1));
}

/** Why a delivery is dropped unrun (acked, nothing published), or undefined when it should run. */
export function dropReason(
  job: { status: string } | undefined,
  record: { dispatchId?: string; status: string } | undefined,
  dispatchId: string,
): string | undefined {
  if (!job) return 'its job is unknown';
  if (job.status !== 'running') return `its job is ${job.status}`;
  if (record?.dispatchId !== undefined && record.dispatchId !== dispatchId) {
    return 'a newer dispatch of the task superseded it';
  }
  if (record?.status === 'done') return 'the task is done already';
  return undefined;
}

/**
 * Whether a running task gives its slot back at once when asked: training checkpoints at the end of
 * its epoch and stops by itself; the other kinds are short and keep nothing, so they are stopped now
 * when preempted (and left to finish within a drain's grace period).
 */
export function yieldsByItself(taskType: string): boolean {
  return taskType === 'train' || taskType === 'distill';
}
