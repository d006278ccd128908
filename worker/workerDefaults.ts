import { availableParallelism } from 'node:os';

/** Defaults of a worker's settings, each written once (the CLI's help and the code both read them). */
export const WORKER_DEFAULTS = {
  /** Task slots (pool threads): the machine's cores. */
  slots: (): number => availableParallelism(),
  /** On SIGTERM, how long running tasks may take before they are handed back. */
  drainSeconds: 30,
} as const;
