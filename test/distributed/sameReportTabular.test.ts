import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import type { RegressionReport } from '../../core/report/regressionReport.ts';
import type { Report } from '../../core/report/report.ts';
import { ofType, parseEvents, runCli, tempDir, type CliEvent } from '../pipeline/cli.ts';
import { Cluster } from '../support/chorusCluster.ts';
import { shapeOf, withoutTimings } from './reportShape.ts';

/** CSVs that Debian's python3-sklearn ships (data files: nothing of Python runs). */
const SKLEARN_DATA = '/usr/lib/python3/dist-packages/sklearn/datasets/data';
const BOSTON = `${SKLEARN_DATA}/boston_house_prices.csv`;
const WINE = `${SKLEARN_DATA}/wine_data.csv`;

/**
 * A regression job on a real table, every regression task kind once: Gaussian and linear members,
 * every combiner (the stacking one also out of fold, so fold tasks run on the workers), a distilled
 * Gaussian student and its baseline. The test split is held out of the one file (`testSplit`), which
 * `chorus submit` uploads.
 */
function regressionJob(name: string): string {
  return `
name: ${name}
task: regression
seed: 5
data:
  train: { format: csv, path: ${BOSTON}, skipLines: 1, labelColumn: MEDV }
  testSplit: 0.2
  validationSplit: 0.15
  normalize: standardize
members:
  - name: gauss
    replicas: 2
    head: gaussian
    layers: [{ type: dense, units: 16, activation: relu }]
    train: { epochs: 6, batchSize: 32, learningRate: 0.01 }
  - name: lin
    bootstrap: true
    layers: [{ type: dense, units: 8, activation: tanh }]
    train: { epochs: 6, batchSize: 32, learningRate: 0.01 }
ensemble:
  methods: [mean, weighted, median, stacking]
  weights: { lin: 0.5 }
  stacking: { folds: 2 }
distillation:
  student:
    head: gaussian
    layers: [{ type: dense, units: 4, activation: relu }]
    train: { epochs: 4, batchSize: 32, learningRate: 0.01 }
  alpha: 0.6
  baseline: true
runtime:
  slots: 2
  backend: wasm
`;
}

/**
 * Tabular classification on a real table (wine: 178 × 13, a line of counts, no header: the label is
 * column 13 by index), with bootstrap members (out-of-bag scores), every diagnostic, and a stacking
 * combiner fitted on the validation split and out of fold.
 */
function tableJob(name: string): string {
  return `
name: ${name}
seed: 4
data:
  train: { format: csv, path: ${WINE}, skipLines: 1, header: false, labelColumn: 13 }
  testSplit: 0.25
  validationSplit: 0.2
  normalize: standardize
members:
  - name: bag
    replicas: 2
    bootstrap: true
    layers: [{ type: dense, units: 12, activation: relu }]
    train: { epochs: 8, batchSize: 16, learningRate: 0.01 }
  - name: plain
    layers: [{ type: dense, units: 8, activation: tanh }]
    train: { epochs: 8, batchSize: 16, learningRate: 0.01 }
ensemble:
  methods: [hard, soft, stacking]
  stacking: { folds: 3, epochs: 10 }
runtime:
  slots: 2
  backend: wasm
`;
}

function reportOf(stdout: string): unknown {
  const events: CliEvent[] = parseEvents(stdout);
  return ofType(events, 'report')[0]?.report;
}

/** The report of the job file run embedded, then through `chorus submit --wait` on a 2-worker cluster. */
async function embeddedAndDistributed(
  t: TestContext,
  name: string,
  text: string,
): Promise<[embedded: unknown, distributed: unknown]> {
  const cluster = await Cluster.start(t, { workers: 2 });
  const file = await cluster.jobFile(`${name}.yaml`, text);
  // Embedded first: it competes for the same two cores, so not at the same time as the cluster's run.
  const out = await tempDir(t, 'chorus-dist-table-');
  const embedded = await runCli(t, ['run', file, '--out', out, '--json'], 120_000);
  assert.equal(embedded.code, 0, embedded.stderr);
  const submitted = await runCli(
    t,
    ['submit', file, '--wait', '--json', '--coordinator', cluster.grpcAddress],
    150_000,
  );
  assert.equal(submitted.code, 0, `${submitted.stderr}\n${cluster.logs()}`);
  const embeddedReport = reportOf(embedded.stdout);
  const report = reportOf(submitted.stdout);
  assert.ok(embeddedReport, 'chorus run --json printed its report');
  assert.ok(report, 'chorus submit --wait --json printed the report');
  // Same structure and the same numbers everywhere but timings: same backend, same seeds.
  assert.deepEqual(shapeOf(report), shapeOf(embeddedReport));
  assert.deepEqual(withoutTimings(report), withoutTimings(embeddedReport));
  return [embeddedReport, report];
}

test('a regression job on a real table reports the same numbers run embedded and through chorus submit', async (t) => {
  const [, distributed] = await embeddedAndDistributed(
    t,
    'same-regression',
    regressionJob('same-regression'),
  );
  const report = distributed as RegressionReport;
  assert.equal(report.task, 'regression');
  // Every part of a regression report is there: 506 houses, 101 held out for test.
  assert.deepEqual(
    [report.dataset.train + report.dataset.validation, report.dataset.test, report.dataset.features],
    [405, 101, 13],
  );
  assert.deepEqual(
    report.members.map((m) => [m.name, m.head, m.variance]),
    [
      ['gauss-0', 'gaussian', 'gaussian'],
      ['gauss-1', 'gaussian', 'gaussian'],
      ['lin', 'linear', 'residuals'],
    ],
  );
  assert.ok(report.ensemble.mean && report.ensemble.weighted && report.ensemble.median);
  assert.equal(report.ensemble.stacking?.outOfFold?.folds, 2);
  assert.deepEqual(
    report.students.map((s) => [s.name, s.kind, s.head]),
    [
      ['student-a0.6', 'distilled', 'gaussian'],
      ['student-baseline', 'baseline', 'gaussian'],
    ],
  );
  for (const s of [...report.members, report.ensemble.mean, ...report.students]) {
    assert.ok(Number.isFinite(s.rmse) && s.rmse > 0, JSON.stringify(s));
    assert.ok(s.nll !== null && Number.isFinite(s.nll), JSON.stringify(s));
  }
});

test('a tabular classification job with out-of-bag scores and out-of-fold stacking reports the same numbers embedded and distributed', async (t) => {
  const [, distributed] = await embeddedAndDistributed(t, 'same-table', tableJob('same-table'));
  const report = distributed as Report;
  assert.deepEqual([report.dataset.train + report.dataset.validation, report.dataset.test], [133, 45]);
  assert.equal(report.dataset.classes, 3);
  const d = report.diagnostics;
  assert.ok(d, 'the report has diagnostics');
  assert.deepEqual(d.members, ['bag-0', 'bag-1', 'plain']);
  assert.deepEqual(
    d.outOfBag?.members.map((m) => m.name),
    ['bag-0', 'bag-1'],
  );
  assert.equal(report.ensemble.stacking?.outOfFold?.folds, 3);
});

test('the two table examples (housing-regression, breast-cancer) report the same numbers embedded and distributed', async (t) => {
  for (const example of ['housing-regression', 'breast-cancer']) {
    const text = await readFile(new URL(`../../examples/${example}.yaml`, import.meta.url), 'utf8');
    const [embedded] = await embeddedAndDistributed(t, example, text);
    assert.equal((embedded as { job?: string }).job, example);
  }
});
