/**
 * Gives CPU-heavy steps started by a burst of concurrent requests one event-loop iteration each.
 *
 * Fifty submissions that arrive in one socket read would otherwise all parse and plan in the same
 * microtask drain, holding every timer and socket for the sum of their work. Each `next()` resolves in
 * a later iteration than the one before it (an immediate scheduled from a check-phase callback runs in
 * the next iteration), so timers and I/O run between the steps. An idle caller waits one immediate.
 */
export class Turns {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves in this caller's own event-loop iteration, after every earlier caller's. */
  readonly next = (): Promise<void> => {
    const turn = this.tail.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    this.tail = turn;
    return turn;
  };
}
