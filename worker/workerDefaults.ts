import { availableParallelism } from 'node:os';

/** Defaults of a worker's settings, each written once (the CLI's help and the code both read them). */
export const WORKER_DEFAULTS = {
  /** Task slots (pool threads): the machine's cores. */
  slots: (): number => availableParallelism(),
  /**
   * On SIGTERM, how long running tasks may take before they are handed back. With closeSeconds, a
   * worker stops within 15 s by default (Kubernetes' default grace period is 30 s), NATS up or not.
   */
  drainSeconds: 10,
  /** After the drain: at most this long to hand tasks back, remove the heartbeat and close NATS. */
  closeSeconds: 5,
} as const;
