import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeReport } from '../../coordinator/report/computeReport.ts';
import { roundSignificant } from '../../coordinator/report/roundSignificant.ts';
import { NonRetryableError } from '../../core/errors.ts';
import {
  BASELINE,
  DISTILLED,
  LABELS,
  MEMBERS,
  MEMBER_PROBABILITIES,
  makeInputs,
  makeJob,
} from './fixtures.ts';

const close = (actual: number, expected: number, tol = 1e-5): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not within ${tol} of ${expected}`);

/** Mean over samples of −ln p[label], with p given by hand. */
const nllOf = (rows: number[][]): number =>
  rows.reduce((sum, row, i) => sum - Math.log(row[LABELS[i]!]!), 0) / rows.length;

test('members are scored from their logits: accuracy, NLL, best and mean member', () => {
  const report = computeReport(makeInputs());
  assert.deepEqual(
    report.members.map((m) => [m.name, m.accuracy]),
    [
      ['alpha-net', 0.75],
      ['beta-net', 0.25],
      ['gamma-net', 0.5],
    ],
  );
  close(report.members[0]!.nll, nllOf(MEMBER_PROBABILITIES['alpha-net']));
  assert.equal(report.bestMember, 'alpha-net');
  assert.equal(report.meanMember.accuracy, 0.5);
  assert.deepEqual(report.members[0]!.history, { loss: [1.2, 0.6], valLoss: [1.3, 0.7] });
  assert.equal(report.members[2]!.trainSeconds, 12);
  assert.equal(report.members[0]!.teacher, true);
  assert.equal(report.members[0]!.epochs, 2);
});

test('hard vote with equal weights: a three-way tie goes to the lowest class', () => {
  // Votes per sample: [0,1,0] → 0 ✓, [0,1,1] → 1 ✓, [2,0,1] → tie → 0 ✗, [1,2,2] → 2 ✗.
  const report = computeReport(makeInputs());
  assert.deepEqual(report.ensemble.hard, { accuracy: 0.5 });
});

test('soft vote averages probabilities: accuracy, NLL by hand, 15 reliability bins', () => {
  // Means: [.517,.383,.1] → 0 ✓, [.35,.55,.1] → 1 ✓, [.267,.317,.417] → 2 ✓, [.167,.383,.45] → 2 ✗.
  const report = computeReport(makeInputs());
  const soft = report.ensemble.soft;
  assert.ok(soft);
  assert.equal(soft.accuracy, 0.75);
  close(soft.nll, -(Math.log(1.55 / 3) + Math.log(0.55) + Math.log(1.25 / 3) + Math.log(1.15 / 3)) / 4);
  assert.equal(soft.reliability.length, 15);
  assert.equal(
    soft.reliability.reduce((n, b) => n + b.count, 0),
    4,
  );
  // Confidences 0.517 (bin 7, right), 0.55 (bin 8, right), 0.417 and 0.45 (bin 6, one right):
  // ECE = [1·|1 − 0.517| + 1·|1 − 0.55| + 2·|0.5 − 0.433|] / 4.
  assert.deepEqual(
    soft.reliability.map((b) => b.count),
    [0, 0, 0, 0, 0, 0, 2, 1, 1, 0, 0, 0, 0, 0, 0],
  );
  close(soft.ece, (1 - 1.55 / 3 + 0.45 + 2 * (0.5 - (1.25 / 3 + 0.45) / 2)) / 4);
});

test('member weights change the votes', () => {
  const report = computeReport(makeInputs(makeJob({ methods: '[hard, soft]', weights: '{ alpha-net: 2 }' })));
  // alpha-net weighs 2: hard votes → [0, tie(0 vs 1) → 0 ✗, 2 ✓, tie(1 vs 2) → 1 ✓] = 3/4.
  assert.equal(report.ensemble.hard?.accuracy, 0.75);
  // Weighted means (2:1:1) pick [0, 1, 2, 1]: all right.
  assert.equal(report.ensemble.soft?.accuracy, 1);
  assert.deepEqual(
    report.members.map((m) => m.weight),
    [2, 1, 1],
  );
});

test('stacking is scored from its own logits', () => {
  const report = computeReport(makeInputs());
  assert.equal(report.ensemble.stacking?.accuracy, 0.75);
  assert.deepEqual(report.ensemble.stacking?.history, { loss: [0.9, 0.5] });
});

test('methods the job did not ask for are left out', () => {
  const softOnly = makeInputs(makeJob({ methods: '[soft]' }));
  delete softOnly.stackingTestLogits; // not needed without stacking
  const a = computeReport(softOnly);
  assert.deepEqual(Object.keys(a.ensemble), ['soft']);
  const b = computeReport(makeInputs(makeJob({ methods: '[hard]' })));
  assert.deepEqual(Object.keys(b.ensemble), ['hard']);
  const c = computeReport(makeInputs(makeJob({ methods: '[stacking]' })));
  assert.deepEqual(Object.keys(c.ensemble), ['stacking']);
});

test('a listed stacking method without its logits is an error', () => {
  const inputs = makeInputs();
  delete inputs.stackingTestLogits;
  assert.throws(() => computeReport(inputs), NonRetryableError);
});

test('students: accuracy, agreement with the soft-vote teacher, distillation summary', () => {
  const report = computeReport(makeInputs());
  // Teacher = soft vote of all members, argmax [0, 1, 2, 2], 3/4 right.
  assert.equal(report.teacher.accuracy, 0.75);
  assert.deepEqual(report.teacher.members, [...MEMBERS]);
  const [distilled, baseline] = report.students;
  assert.ok(distilled && baseline);
  assert.deepEqual(
    [distilled.name, distilled.kind, distilled.temperature, distilled.alpha],
    [DISTILLED, 'distilled', 4, 0.9],
  );
  assert.equal(distilled.accuracy, 1);
  assert.equal(distilled.agreementWithTeacher, 0.75); // [0,1,2,1] vs [0,1,2,2]
  assert.equal(baseline.name, BASELINE);
  assert.equal(baseline.kind, 'baseline');
  assert.equal('temperature' in baseline, false);
  assert.equal(baseline.accuracy, 0.25);
  assert.equal(baseline.agreementWithTeacher, 0.5); // [1,1,0,2] vs [0,1,2,2]
  assert.deepEqual(distilled.history, { loss: [2, 1, 0.5] });
  // (1 − 0.25) / (0.75 − 0.25): the student passed the teacher.
  assert.deepEqual(report.distillation, {
    bestStudent: DISTILLED,
    bestAccuracy: 1,
    baseline: BASELINE,
    baselineAccuracy: 0.25,
    gapRecovered: 1.5,
  });
});

test('a teacher of named members is their own soft vote', () => {
  const report = computeReport(makeInputs(makeJob({ extra: 'teacher: { members: [alpha-net] }' })));
  assert.deepEqual(report.teacher.members, ['alpha-net']);
  assert.equal(report.teacher.accuracy, 0.75);
  close(report.teacher.nll, nllOf(MEMBER_PROBABILITIES['alpha-net']));
  // alpha-net predicts [0,0,2,1]; the distilled student [0,1,2,1].
  assert.equal(report.students[0]!.agreementWithTeacher, 0.75);
  assert.deepEqual(
    report.members.map((m) => m.teacher),
    [true, false, false],
  );
});

test('timing sums task seconds per type and counts retries', () => {
  const report = computeReport(makeInputs());
  const t = report.timing;
  assert.equal(t.wallSeconds, 20);
  assert.equal(t.taskSeconds, 10 + 11 + 12 + 1.5 + 2 + 2 + 8);
  assert.deepEqual(t.byType, {
    train: { tasks: 3, seconds: 33 },
    predict: { tasks: 3, seconds: 1.5 },
    stack: { tasks: 1, seconds: 2 },
    'soft-labels': { tasks: 2, seconds: 2 },
    distill: { tasks: 2, seconds: 8 },
  });
  assert.equal(t.retries, 1);
  assert.equal(t.parallelism, 2.33);
});

test('report metadata, rounding and JSON round trip', () => {
  const report = computeReport(makeInputs());
  assert.equal(report.job, 'tiny-report');
  assert.equal(report.backend, 'cpu');
  assert.equal(report.createdAt, '2026-11-28T12:00:00.000Z');
  assert.match(report.chorusVersion, /^\d+\.\d+\.\d+/);
  assert.deepEqual(report.dataset, { train: 90, validation: 10, test: 4, classes: 3 });
  for (const v of [report.ensemble.soft!.nll, report.ensemble.soft!.ece, report.members[1]!.nll]) {
    assert.equal(v, roundSignificant(v, 6));
    assert.ok(String(v).replace(/^0\.0*|\./g, '').length <= 6, `${v} has more than 6 significant digits`);
  }
  assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
});

test('logits of the wrong size or a missing member are errors', () => {
  const short = makeInputs();
  short.memberTestLogits.set('beta-net', new Float32Array(9));
  assert.throws(() => computeReport(short), /beta-net.*9 values, expected 4 × 3/);
  const missing = makeInputs();
  missing.studentTestLogits.delete(BASELINE);
  assert.throws(() => computeReport(missing), /no test logits for student student-baseline/);
  const labels = makeInputs();
  labels.counts = { ...labels.counts, test: 5 };
  assert.throws(() => computeReport(labels), NonRetryableError);
});

test('the same inputs give the same report', () => {
  assert.deepEqual(computeReport(makeInputs()), computeReport(makeInputs()));
});

test("a teacher averaging logits is softmax of the members' mean logit", () => {
  const report = computeReport(makeInputs(makeJob({ extra: 'teacher: { softTargets: logits }' })));
  assert.equal(report.teacher.softTargets, 'logits');
  // softmax of the mean log-probability = the normalised geometric mean of the members' rows.
  const rows = LABELS.length;
  let nll = 0;
  for (let r = 0; r < rows; r++) {
    const geo = [0, 1, 2].map((c) =>
      Math.cbrt(MEMBERS.reduce((prod, m) => prod * MEMBER_PROBABILITIES[m][r]![c]!, 1)),
    );
    const total = geo.reduce((a, b) => a + b, 0);
    nll -= Math.log(geo[LABELS[r]!]! / total);
  }
  close(report.teacher.nll, nll / rows);
});

test('each member and student says where its model came from; weight counts come from the task results', () => {
  const inputs = makeInputs(makeJob({ extra: '' }));
  const job = {
    ...inputs.job,
    members: inputs.job.members.map((m, i) =>
      i === 0
        ? { ...m, model: { path: 'ext/model.json', weights: 'file' as const }, pretrained: true as const }
        : i === 1
          ? { ...m, model: { path: 'res/model.json', weights: 'random' as const } }
          : m,
    ),
  };
  const report = computeReport({ ...inputs, job });
  assert.deepEqual(
    report.members.map((m) => m.origin),
    [
      { from: 'file', file: 'ext/model.json', weights: 'file', training: 'pretrained' },
      { from: 'file', file: 'res/model.json', weights: 'random', training: 'trained' },
      { from: 'layers', training: 'trained' },
    ],
  );
  assert.deepEqual(
    report.members.map((m) => m.parameters),
    [1000, 2000, 3000],
  );
  assert.deepEqual(report.students[0]?.origin, { from: 'layers', training: 'trained' });
  assert.equal(report.students[0]?.parameters, 120);
});
