/** Defaults of the coordinator's process settings, each written once (the CLI's help and the code both read them). */
export const COORDINATOR_DEFAULTS = {
  /** On SIGTERM, the most the shutdown may take, NATS reachable or not: well inside Kubernetes' 30 s grace period. */
  shutdownSeconds: 15,
} as const;
