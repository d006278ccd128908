import { ChorusError } from '../../core/errors.ts';

/** Settings of the NATS resources Chorus creates (docs/distributed.md, "NATS resources"). */
export interface NatsResourceOptions {
  /** Prefix of every name (see natsNames). */
  prefix: string;
  /** How long a delivered task may go without `working()`/ack before JetStream redelivers it. */
  ackWaitMs: number;
  /** Deliveries of one task message before JetStream gives up (and emits MAX_DELIVERIES). */
  maxDeliver: number;
  /** Task messages delivered but not yet acked, over all workers. */
  maxAckPending: number;
  /** Largest task or result message; must not exceed the server's max_payload. */
  maxMessageBytes: number;
  /** Worker heartbeats older than this disappear from the workers bucket. */
  workersTtlMs: number;
  /** Results older than this are dropped from the result stream. */
  resultsMaxAgeMs: number;
  /**
   * Copies JetStream keeps of every stream, KV bucket and the Object Store (Raft replication): 1 on a
   * single server; 3 on a cluster of three or more survives the loss of one server.
   */
  replicas: number;
  /**
   * Scale existing streams whose replica count differs from `replicas` in place. Off by default: a
   * mismatch is an error that says how to move (docs/operations.md, "Moving an R1 install").
   */
  moveReplicas: boolean;
}

export const DEFAULT_NATS_RESOURCE_OPTIONS: Readonly<NatsResourceOptions> = {
  prefix: 'chorus',
  ackWaitMs: 30_000,
  maxDeliver: 3,
  maxAckPending: 1000,
  // Tasks and results are small JSON; a quarter of the default 1 MiB max_payload leaves ample headroom.
  maxMessageBytes: 256 * 1024,
  workersTtlMs: 15_000,
  resultsMaxAgeMs: 7 * 24 * 3600 * 1000,
  replicas: 1,
  moveReplicas: false,
};

/** Replica counts JetStream accepts; Raft needs an odd number to keep a majority. */
export const REPLICA_CHOICES: readonly number[] = [1, 3, 5];

function positiveInt(field: keyof NatsResourceOptions, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ChorusError(`NATS option ${field}: expected an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

/** Fills defaults and validates; messages name the offending field. */
export function resolveNatsResourceOptions(partial: Partial<NatsResourceOptions> = {}): NatsResourceOptions {
  const o = { ...DEFAULT_NATS_RESOURCE_OPTIONS };
  for (const [k, v] of Object.entries(partial)) {
    if (v !== undefined) Object.assign(o, { [k]: v });
  }
  // AckWait below 1 s would make `working()` every AckWait/3 too chatty, and JetStream's timers coarse.
  positiveInt('ackWaitMs', o.ackWaitMs, 1000);
  positiveInt('maxDeliver', o.maxDeliver, 1);
  positiveInt('maxAckPending', o.maxAckPending, 1);
  positiveInt('maxMessageBytes', o.maxMessageBytes, 1024);
  positiveInt('workersTtlMs', o.workersTtlMs, 1000);
  positiveInt('resultsMaxAgeMs', o.resultsMaxAgeMs, 1000);
  if (!REPLICA_CHOICES.includes(o.replicas)) {
    throw new ChorusError(
      `NATS option replicas: expected one of ${REPLICA_CHOICES.join(', ')}, got ${String(o.replicas)}`,
    );
  }
  return o;
}
