import { jetstream, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { StartupCheckError } from '../errors.ts';

/**
 * Side-effect-free checks that a NATS login may do what a chorus process is about to do, so that a
 * wrong login stops the process at start with the operation named, instead of failing at its first
 * task or upload (docs/security.md, "Start-up checks"). Each probe makes the real request on the real
 * subject, shaped so that the server refuses it for a harmless reason once permissions let it through:
 * a publish that expects an impossible last sequence is rejected before anything is stored; a pull
 * that takes at most 1 byte is answered "too big" or "no messages" without delivering; an ack of a
 * delivery that does not exist is ignored; a purge or get of a subject with no messages finds nothing.
 */

const PROBE_TIMEOUT_MS = 5000;
/** No stream reaches this sequence: a publish expecting it as the subject's last is always refused. */
const IMPOSSIBLE_SEQUENCE = '9007199254740991';

/** What a refusal says, in plain words, or undefined when the error is not a refusal of this login. */
export function refusalOf(err: unknown): string | undefined {
  const text = `${(err as Error | undefined)?.name ?? ''} ${String((err as Error | undefined)?.message ?? err)}`;
  if (/Permissions Violation/i.test(text)) return 'the server refused it to this NATS user (permissions)';
  if (/jetstream is not enabled|JetStreamNotEnabled/i.test(text)) {
    return "JetStream is not reachable from this NATS user's account (the subject is not imported)";
  }
  if (/no responders|503/i.test(text))
    return 'nothing answered (the subject is not imported into this account)';
  return undefined;
}

/**
 * Tries of a probe that got no answer or "no responders": on a JetStream cluster a request can go
 * unanswered while a stream's or consumer's leader is elected, or before the new leader's interest has
 * reached every server. A refusal for permissions is final at once.
 */
const PROBE_TRIES = 3;
const PROBE_RETRY_MS = 1000;

function mayBeTransient(err: unknown): boolean {
  const text = err instanceof Error ? `${err.name} ${err.message}` : String(err);
  return /timeout|no responders|503/i.test(text) && !/Permissions Violation/i.test(text);
}

async function probe(what: string, hint: string, attempt: () => Promise<void>): Promise<void> {
  try {
    for (let tries = 1; ; tries++) {
      try {
        await attempt();
        return;
      } catch (err) {
        if (tries >= PROBE_TRIES || !mayBeTransient(err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, PROBE_RETRY_MS));
      }
    }
  } catch (err) {
    const why = refusalOf(err);
    if (why) throw new StartupCheckError(`this NATS login cannot ${what}: ${why}. ${hint}`, { cause: err });
    throw new StartupCheckError(`cannot check that this NATS login may ${what}: ${String(err)}`, {
      cause: err,
    });
  }
}

/** The status code of a reply, 0 for a plain one. */
function statusOf(reply: { headers?: { code: number } | undefined }): number {
  return reply.headers?.code ?? 0;
}

/** May publish into the stream that stores `subject` (JetStream accepts it, then refuses it for the sequence). */
export function probePublish(nc: NatsConnection, subject: string, what: string, hint: string): Promise<void> {
  return probe(what, hint, async () => {
    const h = headers();
    h.set('Nats-Expected-Last-Subject-Sequence', IMPOSSIBLE_SEQUENCE);
    try {
      await jetstream(nc).publish(subject, new Uint8Array(0), { headers: h, timeout: PROBE_TIMEOUT_MS });
    } catch (err) {
      if (err instanceof JetStreamApiError && /wrong last sequence/i.test(err.message)) return;
      throw err;
    }
    throw new Error(`JetStream stored a probe on ${subject}, which it should have refused`);
  });
}

/** May pull from a durable pull consumer: a no-wait pull of at most 1 byte, which delivers nothing. */
export function probePull(
  nc: NatsConnection,
  stream: string,
  consumer: string,
  what: string,
  hint: string,
): Promise<void> {
  return probe(what, hint, async () => {
    const reply = await nc.request(
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
      JSON.stringify({ batch: 1, no_wait: true, max_bytes: 1 }),
      { timeout: PROBE_TIMEOUT_MS },
    );
    const code = statusOf(reply);
    // 404 no messages, 408 request expired, 409 the next message is over max_bytes: all say "allowed".
    if (![404, 408, 409].includes(code)) {
      throw new Error(`unexpected reply to a probe pull: status ${code} ${reply.headers?.description ?? ''}`);
    }
  });
}

/** May ack, nak, term or `working()` the consumer's deliveries: an ack of a delivery that does not exist. */
export function probeAck(
  nc: NatsConnection,
  stream: string,
  consumer: string,
  what: string,
  hint: string,
): Promise<void> {
  // On a JetStream cluster the consumer replicates even an ack of a delivery it never made, and the
  // work-queue stream then fails to apply the removal of that impossible sequence ("stream store
  // EOF") and resets its Raft group: every worker start stalled the task stream for seconds. There
  // the probe is skipped; the ack subject is granted with the pull subject (workerPermissions.ts).
  if (nc.info?.cluster !== undefined) return Promise.resolve();
  return probe(what, hint, async () => {
    const ackSubject = `$JS.ACK.${stream}.${consumer}.1.${IMPOSSIBLE_SEQUENCE}.${IMPOSSIBLE_SEQUENCE}.0.0`;
    await nc.request(ackSubject, '+ACK', { timeout: PROBE_TIMEOUT_MS });
  });
}

/** May read a stream's messages by direct get: the last message of a subject that has none. */
export function probeDirectGet(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
  what: string,
  hint: string,
): Promise<void> {
  return probe(what, hint, async () => {
    await jsm.direct.getMessage(stream, { last_by_subj: subject });
  });
}

/** May purge a stream by subject: a purge of a subject that has no messages. */
export function probePurge(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
  what: string,
  hint: string,
): Promise<void> {
  return probe(what, hint, async () => {
    await jsm.streams.purge(stream, { filter: subject });
  });
}
