import type { KV } from '@nats-io/kv';

/**
 * The bucket's keys matching `filter`, each once. nats.js's `kv.keys()` reads the bucket's stream until
 * nothing is pending, so a key written while the listing runs is delivered twice (its old and new
 * revision): a caller that counted the listing would count that key twice.
 */
export async function listKeys(kv: KV, filter?: string): Promise<string[]> {
  const keys = new Set<string>();
  for await (const key of await kv.keys(filter)) keys.add(key);
  return [...keys];
}
