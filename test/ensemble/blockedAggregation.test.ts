import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hardVote, weightedVotes } from '../../core/ensemble/hardVote.ts';
import { meanLogits } from '../../core/ensemble/meanLogits.ts';
import { softmaxRows } from '../../core/ensemble/softmax.ts';
import { softVote } from '../../core/ensemble/softVote.ts';
import { checkFinite, checkProbabilities } from '../../core/ensemble/validate.ts';
import { blockedHardVote, blockedWeightedMean } from '../../core/ensemble/wasm/blockedAggregation.ts';
import { weightedMeanRows } from '../../core/ensemble/weightedMean.ts';
import { argmaxRow } from '../../core/metrics/argmaxRows.ts';

/** A small seeded generator (xorshift32), so failures reproduce. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Logits: integers (many ties) or spread reals. */
function logits(n: number, classes: number, next: () => number, ties: boolean): Float32Array {
  return Float32Array.from({ length: n * classes }, () =>
    ties ? Math.floor(next() * 3) : (next() - 0.5) * 20,
  );
}

const sameBits = (a: Float32Array | Int32Array, b: Float32Array | Int32Array): boolean =>
  a.length === b.length &&
  Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  ) === 0;

/** The reference loops the blocked pass replaces. */
function referenceMean(members: Float32Array[], weights: number[]): Float32Array {
  return Float32Array.from(weightedMeanRows(members, weights));
}

function referenceHard(members: Float32Array[], classes: number, weights: number[]): Int32Array {
  const votes = weightedVotes(members, classes, weights);
  const out = new Int32Array(votes.length / classes);
  for (let r = 0; r < out.length; r++) out[r] = argmaxRow(votes, r * classes, classes);
  return out;
}

// Classes around the unrolling units (1, 2 or 4 rows) and past the unrolled limit (64); row counts
// around the block size (4096 values) and the four-row groups of the vote.
const CASES: readonly { classes: number; rows: number; members: number }[] = [
  { classes: 1, rows: 9, members: 2 },
  { classes: 2, rows: 2049, members: 3 },
  { classes: 3, rows: 1367, members: 4 },
  { classes: 4, rows: 1025, members: 1 },
  { classes: 5, rows: 7, members: 5 },
  { classes: 7, rows: 1171, members: 3 },
  { classes: 10, rows: 2459, members: 10 },
  { classes: 13, rows: 317, members: 12 },
  { classes: 64, rows: 130, members: 3 },
  { classes: 65, rows: 67, members: 2 },
  { classes: 100, rows: 45, members: 4 },
  { classes: 10, rows: 0, members: 2 },
];

test('the blocked soft vote, mean of logits and hard vote are bit-identical to the reference loops', () => {
  for (const [index, { classes, rows, members }] of CASES.entries()) {
    const next = random(1 + index);
    for (const ties of [false, true]) {
      const memberLogits = Array.from({ length: members }, () => logits(rows, classes, next, ties));
      const probabilities = memberLogits.map((l) => softmaxRows(l, classes, 1 + next() * 3));
      // Fractional weights, one of them zero when there are several members.
      const weights = memberLogits.map((_, i) => (members > 1 && i === 1 ? 0 : 0.1 + next()));
      const what = `${classes} classes, ${rows} rows, ${members} members, ${ties ? 'ties' : 'reals'}`;

      const soft = blockedWeightedMean(probabilities, classes, weights, 'probabilities');
      assert.ok(soft, `soft vote fell back to the reference (${what})`);
      assert.ok(sameBits(soft, referenceMean(probabilities, weights)), `soft vote (${what})`);
      assert.ok(sameBits(softVote(probabilities, classes, weights), soft), `softVote (${what})`);

      const mean = blockedWeightedMean(memberLogits, classes, weights, 'finite');
      assert.ok(mean, `mean of logits fell back to the reference (${what})`);
      assert.ok(sameBits(mean, referenceMean(memberLogits, weights)), `mean of logits (${what})`);
      assert.ok(sameBits(meanLogits(memberLogits, classes, weights), mean), `meanLogits (${what})`);

      const hard = blockedHardVote(memberLogits, classes, weights);
      assert.ok(hard, `hard vote fell back to the reference (${what})`);
      assert.ok(sameBits(hard, referenceHard(memberLogits, classes, weights)), `hard vote (${what})`);
      assert.ok(sameBits(hardVote(memberLogits, classes, weights), hard), `hardVote (${what})`);
    }
  }
});

test('fractional vote weights tie and break ties exactly as float64 sums in member order do', () => {
  // 0.1 + 0.2 > 0.3 in float64: scikit-learn (numpy bincount) picks class 0; so must every path.
  const rows = 4097;
  const a = new Float32Array(rows * 3);
  const b = new Float32Array(rows * 3);
  const c = new Float32Array(rows * 3);
  for (let r = 0; r < rows; r++) {
    a[r * 3] = 1;
    b[r * 3] = 1;
    c[r * 3 + 1] = 1;
  }
  const out = blockedHardVote([a, b, c], 3, [0.1, 0.2, 0.3]);
  assert.ok(out);
  assert.ok(out.every((k) => k === 0));
});

/** The message the reference checks give, in their order (members first, then weights). */
function referenceError(check: () => void): string {
  try {
    check();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

test('a bad value anywhere sends the blocked pass to the reference checks, which name it as before', () => {
  const classes = 10;
  const rows = 5000;
  const next = random(99);
  const memberLogits = Array.from({ length: 4 }, () => logits(rows, classes, next, false));
  const probabilities = memberLogits.map((l) => softmaxRows(l, classes));
  for (const bad of [NaN, Infinity, -Infinity]) {
    for (const [member, position] of [
      [0, 0],
      [3, rows * classes - 1],
      [2, 4099],
    ] as const) {
      const l = memberLogits.map((m) => m.slice());
      l[member]![position] = bad;
      assert.equal(blockedWeightedMean(l, classes, [1, 1, 1, 1], 'finite'), undefined);
      assert.equal(blockedHardVote(l, classes, [1, 1, 1, 1]), undefined);
      const expected = referenceError(() =>
        l.forEach((m, i) => checkFinite(m, classes, `memberLogits[${i}]`)),
      );
      assert.throws(() => meanLogits(l, classes), { message: expected });
      assert.throws(() => hardVote(l, classes), {
        message: expected.replace('memberLogits', 'memberScores'),
      });
      const p = probabilities.map((m) => m.slice());
      p[member]![position] = bad;
      assert.equal(blockedWeightedMean(p, classes, [1, 1, 1, 1], 'probabilities'), undefined);
      assert.throws(() => softVote(p, classes), {
        message: referenceError(() =>
          p.forEach((m, i) => checkProbabilities(m, classes, `memberProbabilities[${i}]`)),
        ),
      });
    }
  }
  // A probability out of range, a row that does not sum to 1, logits passed as probabilities.
  const outOfRange = probabilities.map((m) => m.slice());
  outOfRange[1]![77] = 1.5;
  const offSum = probabilities.map((m) => m.slice());
  offSum[2]![4096 * 3] = offSum[2]![4096 * 3]! + 0.01;
  for (const p of [outOfRange, offSum, memberLogits]) {
    assert.equal(blockedWeightedMean(p, classes, [1, 1, 1, 1], 'probabilities'), undefined);
    assert.throws(() => softVote(p, classes), {
      message: referenceError(() =>
        p.forEach((m, i) => checkProbabilities(m, classes, `memberProbabilities[${i}]`)),
      ),
    });
  }
});

test('rows near the sum bounds, and -0, are decided by the reference check exactly', () => {
  const classes = 4;
  // Row sums just inside and just outside 1 ± 1e-3, in float64 as the reference adds them.
  const rows: number[][] = [];
  for (const target of [1.001 - 1e-12, 1.001 + 1e-12, 0.999 + 1e-12, 0.999 - 1e-12]) {
    const v = Math.fround(target / 4);
    rows.push([v, v, v, Math.fround(target - 3 * v)]);
  }
  rows.push([-0, 0.5, 0.25, 0.25]);
  for (const row of rows) {
    const p = Float32Array.from(row);
    const expected = referenceError(() => checkProbabilities(p, classes, 'memberProbabilities[0]'));
    if (expected === 'no error') {
      assert.ok(sameBits(softVote([p], classes), referenceMean([p], [1])), `row ${row.join(', ')}`);
    } else {
      assert.throws(() => softVote([p], classes), { message: expected }, `row ${row.join(', ')}`);
    }
  }
});
