import type { KV } from '@nats-io/kv';

/** A key's value as last seen: `revision` 0 and no value when the key does not exist (or was deleted). */
export interface Seen<T> {
  revision: number;
  value: T | undefined;
}

/** Reads a JSON value and its revision; a deleted key reads as absent. */
export async function readSeen<T>(kv: KV, key: string): Promise<Seen<T>> {
  const e = await kv.get(key);
  if (e === null) return { revision: 0, value: undefined };
  return { revision: e.revision, value: e.operation === 'PUT' ? e.json<T>() : undefined };
}
