import type { ClientWritableStream, requestCallback } from '@grpc/grpc-js';

/**
 * Runs a client-streaming call: writes `messages` in order, honouring backpressure (waits for
 * 'drain' whenever the stream's buffer is full), ends the stream, and resolves with the reply.
 * Stops writing as soon as the server answers early (an error status), so a refused stream does
 * not keep serialising the rest. Messages are produced lazily: a large upload is never all in memory twice.
 */
export function runClientStream<Req, Res>(
  open: (callback: requestCallback<Res>) => ClientWritableStream<Req>,
  messages: Iterable<Req>,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    let settled = false;
    let wake: (() => void) | undefined;
    const call = open((err, reply) => {
      settled = true;
      wake?.();
      if (err) reject(err);
      else if (reply === undefined || reply === null) reject(new Error('the call ended without a reply'));
      else resolve(reply);
    });
    // Failures arrive through the callback; the stream's own 'error' event must not go unhandled.
    call.on('error', () => {});

    const waitForDrain = () =>
      new Promise<void>((resume) => {
        const done = () => {
          call.off('drain', done);
          wake = undefined;
          resume();
        };
        wake = done;
        call.once('drain', done);
      });

    (async () => {
      for (const message of messages) {
        if (settled) return;
        if (!call.write(message)) await waitForDrain();
      }
      if (!settled) call.end();
    })().catch((err: unknown) => {
      // A message that cannot be produced or serialised: abandon the call and report why.
      call.cancel();
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
  });
}
