/** The first SIGTERM or SIGINT of a long-running command (coordinator, worker). */
export interface StopSignal {
  /** Resolves on the signal. */
  readonly stopped: Promise<void>;
  /** Aborted on the signal: start-up steps that wait (for the coordinator, say) give up. */
  readonly signal: AbortSignal;
}

/**
 * Listens for the first SIGTERM or SIGINT from now on. Call it before the process starts anything:
 * a signal that arrives between a "ready" line and the wait for it is then still a clean stop, not
 * the default exit. A second signal gets Node's default handling (the process ends at once).
 */
export function listenForStopSignal(log: (line: string) => void): StopSignal {
  const controller = new AbortController();
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log(`${signal}: shutting down`);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      controller.abort();
      resolve();
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
  return { stopped, signal: controller.signal };
}
