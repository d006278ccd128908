import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DataPlaneConnection } from '../../cluster/client/dataPlaneConnection.ts';
import type { LogitArray, PutLogitsResult } from '../../cluster/api/apiTypes.ts';
import type { ArtifactStore } from '../../core/artifacts/artifactStore.ts';
import { NonRetryableError } from '../../core/errors.ts';
import { LogitForwardingStore } from '../../worker/logitForwardingStore.ts';

/** Unit test: the data plane and the Object Store are stand-ins that record what reaches them. */
function setup() {
  const sent: LogitArray[] = [];
  const stored: string[] = [];
  const plane = {
    putLogits: async (a: LogitArray): Promise<PutLogitsResult> => {
      sent.push(a);
      return { keys: [a.key], floats: a.values.length };
    },
  } as unknown as DataPlaneConnection;
  const objects = {
    put: async (key: string) => void stored.push(key),
  } as unknown as ArtifactStore;
  const origin = { jobId: 'j', taskId: 'predict:m', dispatchId: 'd', classes: 2 };
  return { store: new LogitForwardingStore(objects, plane, origin), sent, stored };
}

test('aligned logits go to the coordinator as a view of the bytes, with shape and split', async () => {
  const { store, sent, stored } = setup();
  const values = new Float32Array([1, 2, 3, 4, 5, 6]);
  await store.put('predictions/members/m/validation.f32', new Uint8Array(values.buffer));
  assert.deepEqual(stored, []);
  const [a] = sent;
  assert.ok(a);
  assert.deepEqual(
    { ...a, values: [...a.values] },
    {
      jobId: 'j',
      taskId: 'predict:m',
      dispatchId: 'd',
      key: 'predictions/members/m/validation.f32',
      split: 'validation',
      rows: 3,
      cols: 2,
      values: [1, 2, 3, 4, 5, 6],
    },
  );
  assert.equal(a.values.buffer, values.buffer, 'aligned bytes were copied');
});

test('unaligned logit bytes are copied into aligned floats; a partial float is refused', async () => {
  const { store, sent } = setup();
  const backing = new Uint8Array(4 * 4 + 1);
  const bytes = backing.subarray(1);
  new DataView(bytes.buffer, 1).setFloat32(0, 2.5, true);
  await store.put('predictions/members/m/test.f32', bytes);
  assert.equal(sent[0]?.values[0], 2.5);
  assert.equal(sent[0]?.split, 'test');
  await assert.rejects(
    store.put('predictions/members/m/test.f32', new Uint8Array(7)),
    (e: unknown) =>
      e instanceof NonRetryableError && /predictions\/members\/m\/test\.f32: 7 bytes/.test(e.message),
  );
});

test('everything else goes to the Object Store', async () => {
  const { store, sent, stored } = setup();
  await store.put('models/members/m/model.json', new Uint8Array([1]));
  assert.deepEqual(stored, ['models/members/m/model.json']);
  assert.equal(sent.length, 0);
});
