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
  /** Stopped by this worker's drain, not by the task. */
  drained: boolean;
  /** JetStream deliveries of this task message so far (1 on the first attempt). */
  deliveries: number;
  maxDeliver: number;
}

/** After a result is published: how the delivery itself is settled. */
export type AfterPublish = { ack: 'ack' } | { ack: 'term'; reason: string } | { ack: 'nak'; delayMs: number };

/**
 * How a worker settles a delivery once its task has stopped:
 * - `abandon`: send nothing on this delivery (its lease ran out: an ack, nak or term would act on the
 *   redelivery another worker now holds);
 * - `ack-cancelled`: take it off the queue without a result (the job has ended);
 * - `hand-back`: nak at once, without a result, so another worker takes it (a drain);
 * - `publish`: publish the result (`final` when no redelivery will follow), then settle as `after`.
 */
export type Settlement =
  | { kind: 'abandon' }
  | { kind: 'ack-cancelled' }
  | { kind: 'hand-back' }
  | { kind: 'publish'; final: boolean; after: AfterPublish };

/** The settle decision, a pure function of how the delivery ended. */
export function decideSettlement(end: DeliveryEnd): Settlement {
  // Checked first: an ack or nak of a superseded delivery would act on the new holder's.
  if (end.leaseLost) return { kind: 'abandon' };
  if (end.cancelled) return { kind: 'ack-cancelled' };
  if (end.drained) return { kind: 'hand-back' };
  const { outcome } = end;
  if (outcome.ok) return { kind: 'publish', final: true, after: { ack: 'ack' } };
  const final = !outcome.error.retryable || end.deliveries >= end.maxDeliver;
  return {
    kind: 'publish',
    final,
    after: final
      ? { ack: 'term', reason: outcome.error.message.slice(0, 200) }
      : { ack: 'nak', delayMs: retryDelayMs(end.deliveries) },
  };
}

/** Backoff of a retryable failure: 1 s after the first delivery, doubling, at most MAX_RETRY_DELAY_MS. */
export function retryDelayMs(deliveries: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** Math.max(0, deliveries - 1));
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
