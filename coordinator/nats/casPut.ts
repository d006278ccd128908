import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { ChorusError } from '../../core/errors.ts';
import { readSeen, type Seen } from '../../cluster/state/readEntry.ts';

export interface CasPolicy<T> {
  /**
   * True when `incoming` must not replace `stored`. `conflict` is true when the writer's view was
   * not the stored revision (another writer got in between, or the writer never read the key).
   */
  refuse(stored: T, incoming: T, conflict: boolean): boolean;
  /** The value to write over `stored` (e.g. keeping fields the incoming value does not carry). */
  merge(stored: T | undefined, incoming: T): T;
}

export interface CasResult<T> {
  written: boolean;
  /** The key's value and revision after the call: ours if written, the newer one if refused. */
  seen: Seen<T> & { value: T };
}

const MAX_TRIES = 20;

function isWrongLastSequence(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

/**
 * Compare-and-set write of a JSON value: writes only over the revision it last saw; on a conflict
 * re-reads, and writes again only if the policy does not refuse the stored value. `known` is the
 * writer's last view of the key, or undefined when it has none (then the key is read first, and
 * that counts as a conflict: the writer did not know what it was replacing).
 */
export async function casPut<T>(
  kv: KV,
  key: string,
  incoming: T,
  known: Seen<T> | undefined,
  policy: CasPolicy<T>,
): Promise<CasResult<T>> {
  let seen = known ?? (await readSeen<T>(kv, key));
  let conflict = known === undefined;
  for (let tries = 1; tries <= MAX_TRIES; tries++) {
    if (seen.value !== undefined && policy.refuse(seen.value, incoming, conflict)) {
      return { written: false, seen: { revision: seen.revision, value: seen.value } };
    }
    const next = policy.merge(seen.value, incoming);
    try {
      const revision = await kv.put(key, JSON.stringify(next), { previousSeq: seen.revision });
      return { written: true, seen: { revision, value: next } };
    } catch (err) {
      if (!isWrongLastSequence(err)) throw err;
      seen = await readSeen<T>(kv, key);
      conflict = true;
    }
  }
  throw new ChorusError(`KV key ${key}: gave up after ${MAX_TRIES} conflicting writes`);
}
