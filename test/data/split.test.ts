import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Dataset } from '../../core/data/dataset.ts';
import { toShared, isShared } from '../../core/data/shared.ts';
import { bootstrapIndices, shardRanges, slice, subset, trainValidationSplit } from '../../core/data/split.ts';
import { NonRetryableError } from '../../core/errors.ts';

/** n samples of 2 features [i, -i], label i % 3: every row says where it came from. */
function numbered(n: number): Dataset {
  const x = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = i;
    x[2 * i + 1] = -i;
  }
  return { x, y: Int32Array.from({ length: n }, (_, i) => i % 3), count: n, sampleShape: [2], classes: 3 };
}

const rowsOf = (d: Dataset): number[] => Array.from({ length: d.count }, (_, i) => d.x[2 * i] as number);

test('subset gathers rows in order, with repeats, as copies', () => {
  const d = numbered(5);
  const s = subset(d, [4, 0, 4]);
  assert.equal(s.count, 3);
  assert.deepEqual(Array.from(s.x), [4, -4, 0, -0, 4, -4]);
  assert.deepEqual(Array.from(s.y), [1, 0, 1]);
  s.x[0] = 99;
  assert.equal(d.x[8], 4);
  assert.throws(() => subset(d, [5]), NonRetryableError);
  assert.throws(() => subset(d, [-1]), /outside \[0, 5\)/);
});

test('slice returns views, which stay shared for shared datasets', () => {
  const d = toShared(numbered(6));
  const s = slice(d, 2, 5);
  assert.equal(s.count, 3);
  assert.deepEqual(rowsOf(s), [2, 3, 4]);
  assert.deepEqual(Array.from(s.y), [2, 0, 1]);
  assert.ok(isShared(s));
  assert.equal(s.x.buffer, d.x.buffer);
  assert.equal(slice(d, 6).count, 0);
  assert.throws(() => slice(d, 4, 2), /not a range/);
  assert.throws(() => slice(d, 0, 7), NonRetryableError);
});

test('train/validation split: sizes, disjoint cover, source order, rows match indices', () => {
  const d = numbered(100);
  const { train, validation, trainIndices, validationIndices } = trainValidationSplit(d, 0.2, 11);
  assert.equal(validation.count, 20);
  assert.equal(train.count, 80);
  const all = [...trainIndices, ...validationIndices].sort((a, b) => a - b);
  assert.deepEqual(
    all,
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.deepEqual(rowsOf(train), Array.from(trainIndices));
  assert.deepEqual(rowsOf(validation), Array.from(validationIndices));
  assert.deepEqual(
    Array.from(validationIndices),
    [...validationIndices].sort((a, b) => a - b),
  );
  // Not simply the last 20%.
  assert.notDeepEqual(
    Array.from(validationIndices),
    Array.from({ length: 20 }, (_, i) => 80 + i),
  );
});

test('split is deterministic in the seed', () => {
  const d = numbered(50);
  const a = trainValidationSplit(d, 0.3, 1);
  const b = trainValidationSplit(d, 0.3, 1);
  const c = trainValidationSplit(d, 0.3, 2);
  assert.deepEqual(a.validationIndices, b.validationIndices);
  assert.deepEqual(a.train.x, b.train.x);
  assert.notDeepEqual(a.validationIndices, c.validationIndices);
});

test('split edge cases: fraction 0, at least one sample each side, clear errors', () => {
  const d = numbered(10);
  const none = trainValidationSplit(d, 0, 1);
  assert.equal(none.train, d);
  assert.equal(none.validation.count, 0);
  assert.deepEqual(none.validation.sampleShape, [2]);
  assert.equal(trainValidationSplit(d, 0.01, 1).validation.count, 1);
  assert.equal(trainValidationSplit(d, 0.99, 1).train.count, 1);
  const two = trainValidationSplit(numbered(2), 0.5, 3);
  assert.equal(two.train.count + two.validation.count, 2);
  assert.equal(two.validation.count, 1);
  assert.throws(() => trainValidationSplit(numbered(1), 0.2, 0), /from 1 sample: need at least 2/);
  assert.throws(() => trainValidationSplit(d, 1, 0), /must be in \[0, 1\), got 1/);
  assert.throws(() => trainValidationSplit(d, -0.1, 0), NonRetryableError);
  assert.throws(() => trainValidationSplit(d, NaN, 0), NonRetryableError);
});

test('bootstrap: n draws with replacement in range, seeded', () => {
  const a = bootstrapIndices(1000, 4);
  assert.equal(a.length, 1000);
  assert.ok(a.every((i) => i >= 0 && i < 1000));
  const distinct = new Set(a).size;
  // Expected distinct fraction 1 - 1/e ≈ 0.632.
  assert.ok(distinct > 590 && distinct < 675, `distinct ${distinct}`);
  assert.deepEqual(bootstrapIndices(1000, 4), a);
  assert.notDeepEqual(bootstrapIndices(1000, 5), a);
  assert.equal(bootstrapIndices(10, 1, 3).length, 3);
  assert.throws(() => bootstrapIndices(0, 1), NonRetryableError);
});

test('shardRanges covers [0, n) contiguously with sizes differing by at most one', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 64 }), (n, shards) => {
      const r = shardRanges(n, shards);
      assert.equal(r.length, Math.min(n, shards));
      let at = 0;
      r.forEach((s, k) => {
        assert.equal(s.shard, k);
        assert.equal(s.start, at);
        assert.ok(s.end > s.start, 'no empty shard');
        at = s.end;
      });
      assert.equal(at, n);
      const sizes = r.map((s) => s.end - s.start);
      if (sizes.length > 0) assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
    }),
  );
  assert.deepEqual(shardRanges(10, 3), [
    { shard: 0, start: 0, end: 4 },
    { shard: 1, start: 4, end: 7 },
    { shard: 2, start: 7, end: 10 },
  ]);
  assert.deepEqual(shardRanges(2, 5), [
    { shard: 0, start: 0, end: 1 },
    { shard: 1, start: 1, end: 2 },
  ]);
  assert.deepEqual(shardRanges(0, 4), []);
  assert.throws(() => shardRanges(10, 0), /positive integer/);
});
