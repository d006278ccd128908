/** Defaults of the coordinator's process settings, each written once (the CLI's help and the code both read them). */
export const COORDINATOR_DEFAULTS = {
  /** On SIGTERM, the most the shutdown may take, NATS reachable or not: well inside Kubernetes' 30 s grace period. */
  shutdownSeconds: 15,
  /** Sharing the workers between jobs (docs/distributed.md, "Sharing the cluster"). */
  scheduling: {
    /** Preemption is off unless asked for (`chorus coordinator --preempt`). */
    preempt: false,
    /** A job waiting this long without a slot competes one priority class higher. */
    agingSeconds: 300,
  },
} as const;
