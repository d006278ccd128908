import type { Consumer, JsMsg } from '@nats-io/jetstream';

/**
 * How long one pull waits for a message. Long on purpose: the client gives a pull up after two
 * missed idle heartbeats (expires/2 apart), and a message the server sends into a pull the client
 * has given up on is lost until AckWait, yet counted as a delivery. With 1 s pulls, event-loop
 * stalls on a loaded machine did lose task deliveries this way.
 */
export const PULL_EXPIRES_MS = 10_000;

/**
 * Pulls one message from a durable pull consumer: null when none came within `expiresMs`, or at
 * once when `signal` aborts (so that a stop does not wait out a long pull).
 */
export async function pullOne(
  consumer: Consumer,
  signal: AbortSignal,
  expiresMs = PULL_EXPIRES_MS,
): Promise<JsMsg | null> {
  if (signal.aborted) return null;
  const messages = await consumer.fetch({ max_messages: 1, expires: expiresMs });
  const onAbort = () => void messages.close();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const msg of messages) return msg;
    return null;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
