import { ChorusError } from '../../core/errors.ts';
import { LeaseLostError } from '../leadership/leaseLostError.ts';

export interface RetryOptions {
  /** Stops retrying (the last error is thrown) once aborted. */
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Retries stop after this long (default 60 s): NATS restarts take seconds, not minutes. */
  giveUpMs?: number;
}

const FIRST_DELAY_MS = 200;
const MAX_DELAY_MS = 3000;

/**
 * Runs an operation on NATS again while it fails for want of the server (a timeout, no responders
 * while JetStream starts, a lost connection): the client reconnects by itself, so the operation
 * succeeds again soon, and a job must not fail because nats-server restarted under it. Chorus's own
 * errors (bad input, missing artifacts, …) are not retried, but for a write the lease refused. The
 * operation must be idempotent.
 */
export async function retryTransient<T>(
  what: string,
  op: () => Promise<T>,
  o: RetryOptions = {},
): Promise<T> {
  const giveUpAt = Date.now() + (o.giveUpMs ?? 60_000);
  let delay = FIRST_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      // A write refused while the leadership lease is lapsed (NATS unreachable for a whole lease) goes
      // through once it is renewed; if another coordinator took it, this term is stopped (`signal`).
      const transient = !(err instanceof ChorusError) || err instanceof LeaseLostError;
      if (!transient || o.signal?.aborted || Date.now() + delay > giveUpAt) throw err;
      if (attempt === 1) o.log?.(`${what}: ${String(err)}; retrying while NATS is unavailable`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(MAX_DELAY_MS, delay * 2);
    }
  }
}
