/**
 * The last guarantee of a bounded shutdown (coordinator and worker): `ms` after the stop signal the
 * process exits, whatever still holds it (a socket to a NATS server that went away, a stuck close). A
 * shutdown that finished in time exits with the exit code it set; one that did not, with 1.
 */
export function exitAfter(ms: number, log: (line: string) => void): { finished(): void } {
  let finished = false;
  const timer = setTimeout(() => {
    if (finished) {
      process.exit();
    }
    log(`shutdown did not finish within ${Math.round(ms / 1000)} s: exiting`);
    process.exit(1);
  }, ms);
  // Unref'd: a process that has nothing left to do exits at once, without waiting for it.
  timer.unref();
  return {
    finished: () => {
      finished = true;
    },
  };
}
