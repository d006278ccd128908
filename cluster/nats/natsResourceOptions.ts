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
};

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
  return o;
}
