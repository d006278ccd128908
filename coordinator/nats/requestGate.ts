/**
 * Bounds the coordinator's NATS requests in flight, and hands freed places out in a fresh event-loop
 * turn. Submitting 50 jobs at once started ~3,000 KV requests together; their replies then arrived in
 * bursts whose continuations (each starting the next request) ran back to back as microtasks, holding
 * the event loop for 100–300 ms. With at most `limit` in flight, a burst resumes at most `limit`
 * continuations, and a waiter resumes from setImmediate, so timers and sockets get their turn between.
 */
export class RequestGate {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private draining = false;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }

  /** Runs `op` once fewer than `limit` gated operations are in flight. */
  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.inFlight < this.limit && this.waiting.length === 0) this.inFlight++;
    // Otherwise wait: the drain reserves the place (counts it in flight) before waking us.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await op();
    } finally {
      this.inFlight--;
      this.scheduleDrain();
    }
  }

  /** How many operations wait for a place (for tests and metrics). */
  get queued(): number {
    return this.waiting.length;
  }

  private scheduleDrain(): void {
    if (this.draining || this.waiting.length === 0) return;
    this.draining = true;
    setImmediate(() => {
      this.draining = false;
      while (this.inFlight < this.limit && this.waiting.length > 0) {
        this.inFlight++;
        this.waiting.shift()?.();
      }
    });
  }
}

/** The process's one gate for task-state KV requests and task publishes (KvStateStore, NatsExecutor). */
export const taskRequests = new RequestGate(64);
