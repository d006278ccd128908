import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hardVote } from '../../core/ensemble/hardVote.ts';
import { softVote } from '../../core/ensemble/softVote.ts';
import { logSoftmaxRows, softmaxRows } from '../../core/ensemble/softmax.ts';

const classes = 4;
const rows = 5;
const scoreRow = fc.array(fc.integer({ min: -3, max: 3 }), { minLength: classes, maxLength: classes });
const member = fc
  .array(scoreRow, { minLength: rows, maxLength: rows })
  .map((r) => Float32Array.from(r.flat()));

/** Hard vote written the obvious way, independent of the implementation: count, then first maximum. */
function naiveHardVote(members: Float32Array[], weights: number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const totals = new Array<number>(classes).fill(0);
    members.forEach((m, i) => {
      const row = [...m.subarray(r * classes, (r + 1) * classes)];
      totals[row.indexOf(Math.max(...row))]! += weights[i]!;
    });
    out.push(totals.indexOf(Math.max(...totals)));
  }
  return out;
}

test('hardVote agrees with a naive count-then-first-maximum vote (integer weights, many ties)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(member, fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 6 }),
      (pairs) => {
        const members = pairs.map((p) => p[0]);
        const weights = pairs.map((p) => p[1]);
        fc.pre(weights.some((w) => w > 0));
        assert.deepEqual([...hardVote(members, classes, weights)], naiveHardVote(members, weights));
      },
    ),
    { numRuns: 300 },
  );
});

test('softVote: scaling the weights changes nothing; equal weights are the plain mean', () => {
  const probs = member.map((m) => softmaxRows(m, classes));
  fc.assert(
    fc.property(
      fc.array(probs, { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 9 }),
      (members, k) => {
        const plain = softVote(members, classes);
        const scaled = softVote(
          members,
          classes,
          members.map(() => k),
        );
        for (let j = 0; j < plain.length; j++) {
          let mean = 0;
          for (const m of members) mean += m[j]!;
          mean /= members.length;
          assert.ok(Math.abs(plain[j]! - mean) < 1e-6);
          assert.ok(Math.abs(scaled[j]! - plain[j]!) < 1e-7);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('softmax rows sum to 1 and logSoftmax = log softmax', () => {
  const logits = fc
    .array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: classes * 3, maxLength: classes * 3 })
    .map((v) => Float32Array.from(v));
  fc.assert(
    fc.property(logits, fc.double({ min: 0.1, max: 30, noNaN: true }), (x, t) => {
      const p = softmaxRows(x, classes, t);
      const lp = logSoftmaxRows(x, classes, t);
      for (let r = 0; r < 3; r++) {
        let sum = 0;
        for (let c = 0; c < classes; c++) {
          const k = r * classes + c;
          sum += p[k]!;
          if (p[k]! > 1e-30)
            assert.ok(Math.abs(Math.log(p[k]!) - lp[k]!) < 1e-5, `${Math.log(p[k]!)} vs ${lp[k]}`);
        }
        assert.ok(Math.abs(sum - 1) < 1e-6);
      }
    }),
    { numRuns: 200 },
  );
});
