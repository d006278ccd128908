import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KV } from '@nats-io/kv';
import { natsNames } from '../../cluster/nats/natsNames.ts';
import type { JobRecord } from '../../cluster/state/jobRecord.ts';
import { KvJobStore } from '../../coordinator/nats/kvJobStore.ts';

/**
 * nats.js's `kv.keys()` reads the bucket's stream until nothing is pending, so a key written while it
 * runs comes twice (its old and new revision). A stand-in bucket lists one key that way.
 */
test('a job record rewritten during the listing is listed once', async () => {
  const names = natsNames('t');
  const record = { id: 'j1', name: 'j', status: 'running', submittedAt: 1 } as unknown as JobRecord;
  const key = names.jobKey('j1');
  const kv = {
    keys: async () =>
      (async function* () {
        yield key;
        yield key;
      })(),
    get: async (k: string) => (k === key ? { revision: 2, operation: 'PUT', json: () => record } : null),
  } as unknown as KV;
  const jobs = await new KvJobStore(kv, names).listJobs();
  assert.deepEqual(
    jobs.map((j) => j.id),
    ['j1'],
  );
});
