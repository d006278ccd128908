import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { computeRegressionReport } from '../../coordinator/report/regression/computeRegressionReport.ts';
import type { RegressionReportInputs } from '../../coordinator/report/regression/regressionReportInputs.ts';
import type { RegressionScores } from '../../core/report/regressionReport.ts';
import { parseJobText } from '../../core/spec/loadJob.ts';

/**
 * The regression report's numbers against a float64 reference computed here by numpy, scipy and
 * scikit-learn (Debian's python3-sklearn; a test-only peer, never a run-time dependency): members
 * (Gaussian heads and a linear output with its validation residuals' variance), the equal and weighted
 * mixtures, the median, the ridge stacking combiner fitted on the validation split and out of fold,
 * and students — RMSE, MAE, R², Gaussian NLL and the coverage of every central interval.
 */

const PYTHON = '/usr/bin/python3';
const REFERENCE = fileURLToPath(new URL('./regressionReference.py', import.meta.url));

const JOB = `
name: reference
task: regression
data:
  train: { format: csv, path: unused.csv, labelColumn: y }
  testSplit: 0.2
members:
  - { name: gauss, replicas: 2, head: gaussian, layers: [{ type: dense, units: 4 }] }
  - { name: lin, layers: [{ type: dense, units: 4 }] }
ensemble:
  methods: [mean, weighted, median, stacking]
  weights: { lin: 0.5 }
  stacking: { folds: 3 }
distillation:
  student: { layers: [{ type: dense, units: 2 }] }
  alpha: 0.5
  baseline: true
`;

/** mulberry32: a small seeded generator, so the case is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('regression report numbers match a numpy/scipy/scikit-learn float64 reference', () => {
  const job = parseJobText(JOB, 'reference.yaml');
  const rand = random(20);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const counts = { train: 90, validation: 30, test: 60 };
  const targets = (n: number) => Float32Array.from({ length: n }, normal);
  const [trainTargets, validationTargets, testTargets] = [
    targets(counts.train),
    targets(counts.validation),
    targets(counts.test),
  ];
  /** A model's outputs: the targets plus noise (and a raw variance for a Gaussian head). */
  const outputs = (y: Float32Array, gaussian: boolean, noise: number) =>
    Float32Array.from({ length: y.length * (gaussian ? 2 : 1) }, (_, k) => {
      if (!gaussian) return y[k]! + noise * normal();
      return k % 2 === 0 ? y[k >> 1]! + noise * normal() : -2.5 + 0.5 * normal();
    });
  const models = (names: string[], gaussian: (name: string) => boolean, y: Float32Array) =>
    new Map(names.map((name, i) => [name, outputs(y, gaussian(name), 0.4 + 0.2 * i)]));
  const memberNames = job.members.map((m) => m.name);
  const isGaussian = (name: string) => job.members.find((m) => m.name === name)?.head === 'gaussian';
  const runs = (job.distillation?.runs ?? []).map((r) => r.name);
  const inputs: RegressionReportInputs = {
    job,
    backend: 'test',
    wallSeconds: 1,
    counts,
    features: 3,
    targetScale: { mean: 22.5, std: 9.25 },
    trainTargets,
    validationTargets,
    testTargets,
    memberTestOutputs: models(memberNames, isGaussian, testTargets),
    memberValidationOutputs: models(memberNames, isGaussian, validationTargets),
    memberOutOfFoldOutputs: models(memberNames, isGaussian, trainTargets),
    studentTestOutputs: models(runs, () => false, testTargets),
    studentValidationOutputs: models(runs, () => false, validationTargets),
    records: new Map(),
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  const report = computeRegressionReport(inputs);

  const list = (a: Float32Array | undefined) => Array.from(a ?? []);
  const payload = {
    targetScale: inputs.targetScale,
    levels: report.coverageLevels,
    trainTargets: list(trainTargets),
    validationTargets: list(validationTargets),
    testTargets: list(testTargets),
    members: job.members.map((m, i) => ({
      weight: job.ensemble.weights[i],
      test: list(inputs.memberTestOutputs.get(m.name)),
      validation: list(inputs.memberValidationOutputs.get(m.name)),
      outOfFold: list(inputs.memberOutOfFoldOutputs?.get(m.name)),
    })),
    students: runs.map((name) => ({
      test: list(inputs.studentTestOutputs.get(name)),
      validation: list(inputs.studentValidationOutputs.get(name)),
    })),
  };
  const python = spawnSync(PYTHON, [REFERENCE], { input: JSON.stringify(payload), encoding: 'utf8' });
  assert.equal(python.status, 0, `${PYTHON} ${REFERENCE} failed: ${python.stderr}`);
  interface Ref {
    rmse: number;
    mae: number;
    r2: number;
    nll?: number;
    coverage?: number[];
  }
  const ref = JSON.parse(python.stdout) as {
    members: Ref[];
    mean: Ref;
    weighted: Ref;
    median: Ref;
    stacking: Ref & { weights: number[]; intercept: number };
    outOfFold: Ref & { weights: number[]; intercept: number };
    students: Ref[];
  };

  // The report rounds to 6 significant digits.
  const near = (actual: number | null | undefined, expected: number | undefined, what: string) => {
    assert.ok(actual !== null && actual !== undefined && expected !== undefined, `${what}: missing`);
    assert.ok(
      Math.abs(actual - expected) <= 1e-5 * Math.max(1, Math.abs(expected)),
      `${what}: report ${actual}, reference ${expected}`,
    );
  };
  const same = (s: RegressionScores | undefined, r: Ref, what: string) => {
    assert.ok(s, `${what}: missing from the report`);
    near(s.rmse, r.rmse, `${what} RMSE`);
    near(s.mae, r.mae, `${what} MAE`);
    near(s.r2, r.r2, `${what} R²`);
    near(s.nll, r.nll, `${what} NLL`);
    assert.equal(s.coverage?.length, r.coverage?.length, `${what} coverage levels`);
    s.coverage?.forEach((c, k) =>
      near(c, r.coverage?.[k], `${what} coverage at ${report.coverageLevels[k]}`),
    );
    near(s.coverage90, r.coverage?.[report.coverageLevels.indexOf(0.9)], `${what} coverage90`);
  };
  report.members.forEach((m, i) => same(m, ref.members[i]!, m.name));
  assert.deepEqual(
    report.members.map((m) => m.variance),
    ['gaussian', 'gaussian', 'residuals'],
  );
  same(report.ensemble.mean, ref.mean, 'mean (mixture)');
  same(report.ensemble.weighted, ref.weighted, 'weighted mixture');
  same(report.ensemble.median, ref.median, 'median');
  same(report.ensemble.stacking, ref.stacking, 'stacking');
  same(report.ensemble.stacking?.outOfFold, ref.outOfFold, 'out-of-fold stacking');
  for (const [what, ours, theirs] of [
    ['stacking', report.ensemble.stacking?.combiner, ref.stacking],
    ['out-of-fold stacking', report.ensemble.stacking?.outOfFold?.combiner, ref.outOfFold],
  ] as const) {
    assert.ok(ours, what);
    ours.weights.forEach((w, i) => near(w, theirs.weights[i], `${what} weight ${i}`));
    near(ours.intercept, theirs.intercept, `${what} intercept`);
  }
  // The teacher is every member's weighted mixture.
  same(report.teacher, ref.weighted, 'teacher');
  report.students.forEach((s, i) => same(s, ref.students[i]!, s.name));
  // The case is not trivial: the mixture's NLL beats the mean member's, and coverage is not all-or-nothing.
  assert.ok(report.ensemble.mean!.nll! < report.meanMember.nll!);
  const coverage = report.ensemble.mean!.coverage![report.coverageLevels.indexOf(0.5)]!;
  assert.ok(coverage > 0.2 && coverage < 1, `coverage at 50%: ${coverage}`);
});
