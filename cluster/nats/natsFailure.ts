/**
 * nats.js errors that mean "NATS cannot be reached now" (disconnected, reconnecting, closing, or
 * JetStream not answering), as opposed to an answer (a missing key, a refused request). Matched by
 * name along the cause chain: the KV and Object Store clients wrap some of them.
 */
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'ConnectionError',
  'NoRespondersError',
  'RequestError',
]);

export function isNatsUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (UNAVAILABLE_NAMES.has(e.name)) return true;
  }
  return false;
}
