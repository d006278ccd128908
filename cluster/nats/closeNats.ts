import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Whether `promise` settled within `ms` (its rejection counts as settled, and is swallowed): shutdown
 * steps that talk to NATS wait this long and no longer, so that a process told to stop does stop when
 * the server has gone away.
 */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Drains a connection (its subscriptions end, what it published is flushed) within `ms`; when the
 * server does not answer in time (gone, or reconnecting), closes it outright instead. True if drained.
 */
export async function closeNatsWithin(nc: NatsConnection, ms: number): Promise<boolean> {
  if (nc.isClosed()) return true;
  const settled = await settleWithin(nc.drain(), ms);
  if (settled && nc.isClosed()) return true;
  await settleWithin(nc.close(), 1000);
  return false;
}
