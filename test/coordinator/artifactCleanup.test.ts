import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanupFor, type JobWindow } from '../../coordinator/nats/artifactCleanup.ts';

const running: JobWindow = { running: true, recordTime: 0 };
const rev = (seq: number, nuid: string, deleted = false, time = 1000) => ({ seq, nuid, deleted, time });

test('the first revision of an object purges nothing', () => {
  assert.deepEqual(cleanupFor(undefined, rev(5, 'a'), running), {
    purgeChunks: [],
    purgeMetaBelow: undefined,
    next: { nuids: ['a'] },
  });
});

test('a replacement purges the replaced chunks and the older metadata', () => {
  assert.deepEqual(cleanupFor({ nuids: ['a'] }, rev(9, 'b'), running), {
    purgeChunks: ['a'],
    purgeMetaBelow: 9,
    next: { nuids: ['b'] },
  });
  // A revision that points at the same chunks (metadata rewritten) keeps them.
  assert.deepEqual(cleanupFor({ nuids: ['a'] }, rev(9, 'a'), running).purgeChunks, []);
});

test('a deleted marker purges every revision, itself included', () => {
  assert.deepEqual(cleanupFor({ nuids: ['a', 'b'] }, rev(12, 'b', true), running), {
    purgeChunks: ['a', 'b'],
    purgeMetaBelow: 13,
    next: undefined,
  });
  // Seen alone (a coordinator that starts after the delete): its chunks go, in case they are still there.
  assert.deepEqual(cleanupFor(undefined, rev(3, 'z', true), running).purgeChunks, ['z']);
});

test("a finished job's artifact changed after the job ended purges nothing; one changed before it ended does", () => {
  const ended: JobWindow = { running: false, recordTime: 5000 };
  // Written at 6000, after the record said "done" at 5000: a worker login, not Chorus. The bytes it hid stay.
  const late = cleanupFor({ nuids: ['a'] }, rev(20, 'forged', false, 6000), ended);
  assert.deepEqual(late, { purgeChunks: [], purgeMetaBelow: undefined, next: { nuids: ['a', 'forged'] } });
  assert.deepEqual(cleanupFor(late.next, rev(21, 'a', true, 6001), ended).purgeChunks, []);
  // Written at 4000, while the job ran, and read by a coordinator only after it ended: purged as usual.
  assert.deepEqual(cleanupFor({ nuids: ['a'] }, rev(20, 'b', false, 4000), ended).purgeChunks, ['a']);
  // The job resumed (running again): every revision kept so far goes with the next one.
  assert.deepEqual(cleanupFor(late.next, rev(30, 'c', false, 7000), running).purgeChunks, ['a', 'forged']);
});
