import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeReport } from '../../coordinator/report/computeReport.ts';
import { renderHtml } from '../../coordinator/report/renderHtml.ts';
import { renderMarkdown } from '../../coordinator/report/renderMarkdown.ts';
import { renderTable, TABLE_WIDTH } from '../../coordinator/report/renderTable.ts';
import { roundSignificant } from '../../coordinator/report/roundSignificant.ts';
import { meanLogits } from '../../core/ensemble/meanLogits.ts';
import { softmaxRows } from '../../core/ensemble/softmax.ts';
import { softVote } from '../../core/ensemble/softVote.ts';
import { applyTemperature, fitTemperature } from '../../core/ensemble/temperatureScaling.ts';
import { NonRetryableError } from '../../core/errors.ts';
import { expectedCalibrationError } from '../../core/metrics/expectedCalibrationError.ts';
import { negativeLogLikelihood } from '../../core/metrics/negativeLogLikelihood.ts';
import {
  CLASSES,
  LABELS,
  MEMBERS,
  VALIDATION_LABELS,
  logitsOf,
  makeInputs,
  makeJob,
  validationLogitsOf,
  MEMBER_PROBABILITIES,
} from './fixtures.ts';
import { sampleInputs } from './sampleInputs.ts';

const close = (actual: number, expected: number, tol = 1e-5): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not within ${tol} of ${expected}`);

const softVoteOf = (logits: Float32Array[], weights?: number[]): Float32Array =>
  softVote(
    logits.map((t) => softmaxRows(t, CLASSES)),
    CLASSES,
    weights,
  );

test('without ensemble.calibrate the report has no calibrated figures', () => {
  const report = computeReport(makeInputs());
  assert.equal(report.ensemble.soft?.calibrated, undefined);
  assert.equal(report.teacher.calibrated, undefined);
});

test('the soft vote is calibrated with T fitted on validation and scored on test', () => {
  const report = computeReport(makeInputs(makeJob({ calibrate: true })));
  const calibrated = report.ensemble.soft?.calibrated;
  assert.ok(calibrated);
  // T by hand: fitted on the validation soft vote, not on the test split.
  const validation = softVoteOf(MEMBERS.map(validationLogitsOf));
  const { temperature } = fitTemperature(validation, VALIDATION_LABELS, CLASSES, { input: 'probabilities' });
  assert.equal(calibrated.temperature, roundSignificant(temperature, 6));
  const testFit = fitTemperature(
    softVoteOf(MEMBERS.map((m) => logitsOf(MEMBER_PROBABILITIES[m]))),
    LABELS,
    CLASSES,
    { input: 'probabilities' },
  );
  assert.ok(Math.abs(testFit.temperature - temperature) > 0.01, 'the test split gives another T');
  // Test figures of softmax(log(p) / T).
  const q = applyTemperature(
    softVoteOf(MEMBERS.map((m) => logitsOf(MEMBER_PROBABILITIES[m]))),
    CLASSES,
    temperature,
    { input: 'probabilities' },
  );
  close(calibrated.nll, negativeLogLikelihood(q, LABELS, CLASSES));
  close(calibrated.ece, expectedCalibrationError(q, LABELS, CLASSES));
  // Temperature scaling never moves an argmax: the accuracy is the uncalibrated one.
  assert.equal(calibrated.accuracy, report.ensemble.soft!.accuracy);
  assert.equal(calibrated.reliability.length, 15);
  assert.equal(
    calibrated.reliability.reduce((n, b) => n + b.count, 0),
    LABELS.length,
  );
  // The teacher is the soft vote here: same T, same figures.
  const { reliability: _bins, ...softScores } = calibrated;
  assert.deepEqual(report.teacher.calibrated, softScores);
  assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
});

test('member weights enter the fit; a logits teacher gets its own T from the mean logits', () => {
  const report = computeReport(
    makeInputs(
      makeJob({ calibrate: true, weights: '{ beta-net: 2 }', extra: 'teacher: { softTargets: logits }' }),
    ),
  );
  const validation = MEMBERS.map(validationLogitsOf);
  const weights = [1, 2, 1];
  const soft = fitTemperature(softVoteOf(validation, weights), VALIDATION_LABELS, CLASSES, {
    input: 'probabilities',
  });
  assert.equal(report.ensemble.soft?.calibrated?.temperature, roundSignificant(soft.temperature, 6));
  const teacher = fitTemperature(meanLogits(validation, CLASSES, weights), VALIDATION_LABELS, CLASSES);
  assert.equal(report.teacher.calibrated?.temperature, roundSignificant(teacher.temperature, 6));
  assert.notEqual(report.teacher.calibrated?.temperature, report.ensemble.soft?.calibrated?.temperature);
  // beta-net, the worst member, weighs double: the vote is over-confident now, so T > 1.
  assert.ok(soft.temperature > 1 && teacher.temperature > 1, `${soft.temperature}, ${teacher.temperature}`);
  assert.equal(report.teacher.calibrated?.accuracy, report.teacher.accuracy);
  // The teacher is not the soft vote, so it gets its own calibrated row, in every rendering.
  const t = String(Number(report.teacher.calibrated!.temperature.toPrecision(3)));
  assert.ok(renderMarkdown(report).includes(`| teacher (calibrated, T = ${t}) |`));
  assert.ok(
    renderTable(report)
      .split('\n')
      .some((l) => l.startsWith('teacher (calibrated) ')),
  );
});

test('calibration without the validation data it needs is an error', () => {
  const noLabels = makeInputs(makeJob({ calibrate: true }));
  delete noLabels.validationLabels;
  assert.throws(() => computeReport(noLabels), /calibrate needs the validation labels/);
  const noLogits = makeInputs(makeJob({ calibrate: true }));
  noLogits.memberValidationLogits!.delete('gamma-net');
  assert.throws(() => computeReport(noLogits), /no validation logits for member gamma-net/);
  const short = makeInputs(makeJob({ calibrate: true }));
  short.memberValidationLogits!.set('beta-net', new Float32Array(5));
  assert.throws(() => computeReport(short), /beta-net's validation logits have 5 values, expected 12 × 3/);
  const counts = makeInputs(makeJob({ calibrate: true }));
  counts.counts = { ...counts.counts, validation: 10 };
  assert.throws(
    () => computeReport(counts),
    (err: unknown) => err instanceof NonRetryableError && /12 validation labels/.test(err.message),
  );
});

test('a realistic ensemble: calibration lowers NLL and ECE on the test split, accuracy unchanged', () => {
  const report = computeReport(sampleInputs({ calibrate: true }));
  const soft = report.ensemble.soft!;
  const calibrated = soft.calibrated!;
  assert.ok(calibrated.ece < soft.ece / 2, `ECE ${soft.ece} → ${calibrated.ece}`);
  assert.ok(calibrated.nll < soft.nll, `NLL ${soft.nll} → ${calibrated.nll}`);
  assert.equal(calibrated.accuracy, soft.accuracy);
  // Averaging diverse members blurs their confidence: this soft vote is under-confident, so T < 1.
  assert.ok(calibrated.temperature < 1, String(calibrated.temperature));
});

test('renderings show the calibrated soft vote next to the uncalibrated one', () => {
  const report = computeReport(sampleInputs({ calibrate: true }));
  const calibrated = report.ensemble.soft!.calibrated!;
  const t = String(Number(calibrated.temperature.toPrecision(3)));

  const md = renderMarkdown(report);
  assert.ok(md.includes(`| soft vote (calibrated), T = ${t} | 98.45% |`), md);
  assert.ok(md.includes(`## Calibration of the soft vote after temperature scaling (T = ${t}, ECE `));
  assert.ok(md.includes(`The exported ensemble model (models/ensemble) applies the teacher's T = ${t}.`));

  const lines = renderTable(report).trimEnd().split('\n');
  for (const line of lines) assert.ok(line.length <= TABLE_WIDTH, `${line.length} columns: ${line}`);
  const row = lines.find((l) => l.startsWith('soft vote (calibrated) '));
  assert.ok(row, lines.join('\n'));
  assert.ok(row.includes(calibrated.ece.toFixed(4)) && row.includes(calibrated.nll.toFixed(4)), row);

  const html = renderHtml(report);
  assert.equal(
    (html.match(/class="chart-title">[^<]*reliability/g) ?? []).length,
    2,
    'two reliability diagrams',
  );
  assert.ok(html.includes(`Calibrated soft vote reliability, T = ${t} (ECE ${calibrated.ece.toFixed(4)})`));
  assert.ok(html.includes(`soft vote, from ${report.ensemble.soft!.ece.toFixed(4)}; T = ${t}`));
  // The accuracy chart has one bar per predictor: the calibrated row (same accuracy) is not repeated.
  const plain = renderHtml(computeReport(sampleInputs()));
  const accuracySection = (page: string): string =>
    /<h2>Test accuracy<\/h2>[\s\S]*?<\/section>/.exec(page)![0];
  assert.equal(accuracySection(html), accuracySection(plain));
});
