/**
 * The last guarantee of a bounded shutdown (coordinator and worker): `ms` after the stop signal the
 * process exits, whatever still holds it (a socket to a NATS server that went away, a stuck close). A
 * shutdown that finished in time exits at most a second later with the exit code it set (work it gave
 * up on, such as a job's state write retrying while NATS is gone, does not hold it); one that did not
 * finish exits with 1.
 */
export function exitAfter(ms: number, log: (line: string) => void): { finished(): void } {
  const timer = setTimeout(() => {
    log(`shutdown did not finish within ${Math.round(ms / 1000)} s: exiting`);
    process.exit(1);
  }, ms);
  // Unref'd: a process that has nothing left to do exits at once, without waiting for them.
  timer.unref();
  return {
    finished: () => {
      clearTimeout(timer);
      setTimeout(() => process.exit(), 1000).unref();
    },
  };
}
