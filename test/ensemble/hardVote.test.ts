import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hardVote, weightedVotes } from '../../core/ensemble/hardVote.ts';
import { NonRetryableError } from '../../core/errors.ts';

/** Score rows whose argmax is the given class, one row per entry (3 classes). */
function votesFor(...classes: number[]): Float32Array {
  const out = new Float32Array(classes.length * 3).fill(0.1);
  classes.forEach((c, r) => (out[r * 3 + c] = 0.8));
  return out;
}

test('a single member: hard vote = its argmax', () => {
  const m = Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.3, 0.2, -1, 3, 9]);
  assert.deepEqual([...hardVote([m], 3)], [1, 0, 2]);
});

test('majority wins; a two-way tie goes to the lowest class index', () => {
  // Sample 0: votes 0, 1, 1 → 1. Sample 1: votes 2, 1 and 0 → three-way tie → 0.
  const members = [votesFor(0, 2), votesFor(1, 1), votesFor(1, 0)];
  assert.deepEqual([...hardVote(members, 3)], [1, 0]);
  // Two members: votes (2, 1) and (1, 2) tie 1:1 → lowest index 1 both times, never 2.
  assert.deepEqual([...hardVote([votesFor(2, 1), votesFor(1, 2)], 3)], [1, 1]);
});

test("a tie inside a member's row votes for the lowest tied index", () => {
  // Row [0.4, 0.4, 0.2] votes 0; row [0.2, 0.4, 0.4] votes 1.
  const m = Float32Array.from([0.4, 0.4, 0.2, 0.2, 0.4, 0.4]);
  assert.deepEqual([...hardVote([m], 3)], [0, 1]);
  assert.deepEqual([...weightedVotes([m], 3)], [1, 0, 0, 0, 1, 0]);
});

test('weights change the outcome', () => {
  const members = [votesFor(0), votesFor(1), votesFor(1)];
  assert.deepEqual([...hardVote(members, 3)], [1]); // 1 vote against 2
  assert.deepEqual([...hardVote(members, 3, [3, 1, 1])], [0]); // 3 against 2
  assert.deepEqual([...hardVote(members, 3, [2, 1, 1])], [0]); // 2 against 2: tie → lowest index
  assert.deepEqual([...hardVote(members, 3, [1, 2, 0.5])], [1]); // 1 against 2.5
  assert.deepEqual([...weightedVotes(members, 3, [3, 1, 1])], [3, 2, 0]);
});

test('a member with weight 0 changes nothing', () => {
  const a = votesFor(0, 1, 2, 2);
  const b = votesFor(1, 1, 0, 2);
  const c = votesFor(1, 2, 2, 1); // would break the sample-0 and sample-2 ties if it counted
  const without = hardVote([a, b], 3);
  assert.deepEqual([...without], [0, 1, 0, 2]);
  assert.deepEqual([...hardVote([a, b, c], 3, [1, 1, 0])], [...without]);
  assert.deepEqual([...hardVote([a, b, c], 3)], [1, 1, 2, 2]); // with weight 1 it does change things
});

test('fractional weights are summed in member order in float64, as numpy bincount does', () => {
  // bincount([0, 0, 1], weights=[0.1, 0.2, 0.3]) = [0.30000000000000004, 0.3] → argmax 0 in scikit-learn.
  const members = [votesFor(0, 1), votesFor(0, 1), votesFor(1, 0)];
  const votes = weightedVotes(members, 3, [0.1, 0.2, 0.3]);
  assert.equal(votes[0], 0.1 + 0.2);
  assert.equal(votes[1], 0.3);
  assert.deepEqual([...hardVote(members, 3, [0.1, 0.2, 0.3])], [0, 1]);
});

test('logits and probabilities vote alike (only the argmax matters)', () => {
  const logits = Float32Array.from([2, -1, 0.5, -3, 4, 4.5]);
  const probs = Float32Array.from([0.7, 0.1, 0.2, 0.0, 0.4, 0.6]);
  assert.deepEqual([...hardVote([logits], 3)], [...hardVote([probs], 3)]);
});

test('bad inputs throw NonRetryableError naming the problem', () => {
  const a = votesFor(0, 1);
  assert.throws(() => hardVote([], 3), /no members/);
  assert.throws(() => hardVote([a, votesFor(0)], 3), /memberScores\[1\]: length 3 differs/);
  assert.throws(() => hardVote([a], 4), /not a multiple of classes/);
  assert.throws(() => hardVote([a, a], 3, [1]), /weights: 1 given for 2 members/);
  assert.throws(() => hardVote([a, a], 3, [1, -1]), /weights\[1\]/);
  assert.throws(() => hardVote([a, a], 3, [0, 0]), /all weights are zero/);
  assert.throws(() => hardVote([a, a], 3, [1, NaN]), NonRetryableError);
  assert.throws(() => hardVote([Float32Array.from([0, NaN, 1])], 3), /non-finite/);
});
