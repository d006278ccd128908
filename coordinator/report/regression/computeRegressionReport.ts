import { toTargetUnits } from '../../../core/data/regression/targetScale.ts';
import {
  applyLinearCombiner,
  fitLinearCombiner,
  type LinearCombiner,
} from '../../../core/ensemble/regression/linearStacking.ts';
import { medianOfMeans } from '../../../core/ensemble/regression/median.ts';
import { mixture } from '../../../core/ensemble/regression/mixture.ts';
import {
  predictiveOf,
  withConstantVariance,
  type Predictive,
  type Units,
} from '../../../core/ensemble/regression/predictive.ts';
import { residualVariance } from '../../../core/ensemble/regression/residualVariance.ts';
import { NonRetryableError } from '../../../core/errors.ts';
import { COVERAGE_LEVELS } from '../../../core/metrics/regression/gaussianScores.ts';
import { rootMeanSquaredError } from '../../../core/metrics/regression/pointErrors.ts';
import { scoreRegression } from '../../../core/metrics/regression/scoreRegression.ts';
import type {
  RegressionDistillationSummary,
  RegressionMemberReport,
  RegressionReport,
  RegressionScores,
  RegressionStudentReport,
  VarianceSource,
} from '../../../core/report/regressionReport.ts';
import { teacherOf } from '../../../core/spec/teacherOf.ts';
import { chorusVersion } from '../chorusVersion.ts';
import { resultOf, roundHistory, timingOf, trainingEndOf } from '../computeReport.ts';
import { roundSeconds, roundSignificant as r } from '../roundSignificant.ts';
import type { RegressionReportInputs } from './regressionReportInputs.ts';

/** A predictor's test predictions, and where its variance came from. */
interface Scored {
  test: Predictive;
  variance: VarianceSource;
}

/**
 * Scores a regression job on the test split, in the target's units: every member (a linear member's
 * variance from its validation residuals), the ensemble methods (mixtures of the members, the median,
 * linear combiners fitted on the validation split and on out-of-fold predictions), the teacher and the
 * students. Pure: the same inputs give the same report (`createdAt` aside, when not given).
 */
export function computeRegressionReport(inputs: RegressionReportInputs): RegressionReport {
  const { job, records } = inputs;
  const units: Units = { offset: inputs.targetScale.mean, scale: inputs.targetScale.std };
  const original = (t: Float32Array) => Float64Array.from(t, (z) => toTargetUnits(z, inputs.targetScale));
  const yTest = original(inputs.testTargets);
  const yValidation = original(inputs.validationTargets);
  const hasValidation = yValidation.length > 0;

  const outputsOf = (
    map: Map<string, Float32Array>,
    name: string,
    rows: number,
    what: string,
  ): Float32Array => {
    const outputs = map.get(name);
    if (!outputs) throw new NonRetryableError(`report: no ${what} outputs for ${name}`);
    if (outputs.length !== rows && outputs.length !== 2 * rows) {
      throw new NonRetryableError(
        `report: ${name}'s ${what} outputs hold ${outputs.length} values for ${rows} samples`,
      );
    }
    return outputs;
  };
  /** A model's test predictions; a linear output gets its validation residuals' variance. */
  const modelPredictive = (test: Float32Array, validation: Float32Array | undefined): Scored => {
    const width = widthOf(test, yTest.length);
    const p = predictiveOf(test, width, units);
    if (width === 2) return { test: p, variance: 'gaussian' };
    if (!validation || !hasValidation) return { test: p, variance: 'none' };
    const v = residualVariance(yValidation, predictiveOf(validation, 1, units).mean);
    return { test: withConstantVariance(p, v), variance: 'residuals' };
  };

  const memberScored = job.members.map((m) =>
    modelPredictive(
      outputsOf(inputs.memberTestOutputs, m.name, yTest.length, 'test'),
      hasValidation
        ? outputsOf(inputs.memberValidationOutputs, m.name, yValidation.length, 'validation')
        : undefined,
    ),
  );
  const memberValidationMeans = job.members.map((m) => {
    if (!hasValidation) return new Float64Array(0);
    const outputs = outputsOf(inputs.memberValidationOutputs, m.name, yValidation.length, 'validation');
    return predictiveOf(outputs, widthOf(outputs, yValidation.length), units).mean;
  });
  const scores = (s: Scored): RegressionScores => roundScores(scoreRegression(s.test, yTest), s.variance);
  const weights = job.members.map((m, i) => job.ensemble.weights[i] ?? m.weight);
  const teacherSet = new Set(job.teacher.members);

  const members: RegressionMemberReport[] = job.members.map((m, i) => {
    const result = resultOf(records, `train:${m.name}`, 'train');
    const parameters = resultOf(records, `predict:${m.name}`, 'predict')?.parameters;
    return {
      name: m.name,
      group: m.group,
      head: m.head ?? 'linear',
      ...(parameters !== undefined ? { parameters } : {}),
      weight: weights[i] ?? 1,
      teacher: teacherSet.has(m.name),
      ...scores(memberScored[i]!),
      trainSeconds: roundSeconds(result?.seconds ?? 0),
      ...(result
        ? { epochs: result.epochs, history: roundHistory(result.history), ...trainingEndOf(result) }
        : {}),
    };
  });

  const methods = new Set(job.ensemble.methods);
  const ensemble: RegressionReport['ensemble'] = {};
  const mixtureOf = (w?: readonly number[]): Scored => {
    const p = mixture(
      memberScored.map((s) => s.test),
      w,
    );
    return { test: p, variance: p.variance ? 'mixture' : 'none' };
  };
  if (methods.has('mean')) ensemble.mean = scores(mixtureOf());
  if (methods.has('weighted')) ensemble.weighted = scores(mixtureOf(weights));
  if (methods.has('median')) {
    const test: Predictive = { mean: medianOfMeans(memberScored.map((s) => s.test.mean)) };
    const withVariance = hasValidation
      ? withConstantVariance(test, residualVariance(yValidation, medianOfMeans(memberValidationMeans)))
      : test;
    ensemble.median = scores({ test: withVariance, variance: hasValidation ? 'residuals' : 'none' });
  }
  if (methods.has('stacking')) {
    const testMeans = memberScored.map((s) => s.test.mean);
    const validation = fittedCombiner(memberValidationMeans, yValidation, testMeans);
    const folds = job.ensemble.stacking.folds;
    let outOfFold:
      NonNullable<NonNullable<RegressionReport['ensemble']['stacking']>['outOfFold']> | undefined;
    if (folds !== undefined) {
      const oof = inputs.memberOutOfFoldOutputs;
      if (!oof)
        throw new NonRetryableError('report: ensemble.stacking.folds needs the members’ out-of-fold outputs');
      const yTrain = original(inputs.trainTargets);
      const trainMeans = job.members.map((m) => {
        const outputs = outputsOf(oof, m.name, yTrain.length, 'out-of-fold');
        return predictiveOf(outputs, widthOf(outputs, yTrain.length), units).mean;
      });
      const fitted = fittedCombiner(trainMeans, yTrain, testMeans);
      outOfFold = { ...scores(fitted.scored), folds, combiner: roundCombiner(fitted.combiner) };
    }
    ensemble.stacking = {
      ...scores(validation.scored),
      combiner: roundCombiner(validation.combiner),
      ...(outOfFold ? { outOfFold } : {}),
    };
  }

  const pick = teacherOf(job);
  const teacherIndex = pick.members.map((t) => job.members.findIndex((m) => m.name === t.name));
  const teacherPredictive = mixture(
    teacherIndex.map((i) => memberScored[i]!.test),
    pick.weights,
  );
  const teacher: RegressionReport['teacher'] = {
    members: pick.members.map((m) => m.name),
    ...scores({ test: teacherPredictive, variance: teacherPredictive.variance ? 'mixture' : 'none' }),
  };

  const student = job.distillation?.student;
  const students: RegressionStudentReport[] = (job.distillation?.runs ?? []).map((run) => {
    const result = resultOf(records, `distill:${run.name}`, 'distill');
    const scored = modelPredictive(
      outputsOf(inputs.studentTestOutputs, run.name, yTest.length, 'test'),
      hasValidation
        ? outputsOf(inputs.studentValidationOutputs, run.name, yValidation.length, 'validation')
        : undefined,
    );
    return {
      name: run.name,
      kind: run.kind,
      head: student?.head ?? 'linear',
      ...(result?.parameters !== undefined ? { parameters: result.parameters } : {}),
      ...(run.kind === 'distilled' ? { alpha: run.alpha } : {}),
      ...scores(scored),
      rmseToTeacher: r(rootMeanSquaredError(scored.test.mean, teacherPredictive.mean)),
      trainSeconds: roundSeconds(result?.seconds ?? 0),
      ...(result
        ? { epochs: result.epochs, history: roundHistory(result.history), ...trainingEndOf(result) }
        : {}),
    };
  });

  const distillation = summarise(students, teacher.rmse);
  return {
    task: 'regression',
    job: job.name,
    backend: inputs.backend,
    chorusVersion: chorusVersion(),
    createdAt: inputs.createdAt ?? new Date().toISOString(),
    dataset: {
      ...inputs.counts,
      features: inputs.features,
      target: { mean: r(inputs.targetScale.mean), std: r(inputs.targetScale.std) },
    },
    coverageLevels: [...COVERAGE_LEVELS],
    members,
    bestMember:
      members.reduce<RegressionMemberReport | undefined>((a, b) => (a && a.rmse <= b.rmse ? a : b), undefined)
        ?.name ?? '',
    meanMember: {
      rmse: r(mean(members.map((m) => m.rmse))),
      mae: r(mean(members.map((m) => m.mae))),
      r2: r(mean(members.map((m) => m.r2))),
      nll: meanOrNull(members.map((m) => m.nll)),
      coverage90: meanOrNull(members.map((m) => m.coverage90)),
    },
    ensemble,
    teacher,
    students,
    ...(distillation ? { distillation } : {}),
    timing: timingOf(records, inputs.wallSeconds),
  };

  /**
   * A linear combiner fitted on (means, targets), its test predictions, and the variance of its
   * residuals on the rows it was fitted on (its weights and intercept counted as fitted values).
   */
  function fittedCombiner(
    fitMeans: Float64Array[],
    targets: Float64Array,
    testMeans: Float64Array[],
  ): { combiner: LinearCombiner; scored: Scored } {
    const combiner = fitLinearCombiner(fitMeans, targets);
    const test: Predictive = { mean: applyLinearCombiner(combiner, testMeans) };
    const fitted = combiner.weights.length + 1;
    if (targets.length <= fitted) return { combiner, scored: { test, variance: 'none' } };
    const v = residualVariance(targets, applyLinearCombiner(combiner, fitMeans), fitted);
    return { combiner, scored: { test: withConstantVariance(test, v), variance: 'residuals' } };
  }
}

/** 1 for [rows] outputs, 2 for [rows, 2]. */
function widthOf(outputs: Float32Array, rows: number): 1 | 2 {
  return outputs.length === 2 * rows && rows > 0 ? 2 : 1;
}

function roundScores(s: ReturnType<typeof scoreRegression>, variance: VarianceSource): RegressionScores {
  return {
    rmse: r(s.rmse),
    mae: r(s.mae),
    r2: r(s.r2),
    nll: s.nll === null ? null : r(s.nll),
    coverage90: s.coverage90 === null ? null : r(s.coverage90),
    ...(s.coverage ? { coverage: s.coverage.map((c) => r(c)) } : {}),
    variance,
  };
}

function roundCombiner(c: LinearCombiner): LinearCombiner {
  return { weights: c.weights.map((w) => r(w)), intercept: r(c.intercept) };
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function meanOrNull(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : r(mean(known));
}

function summarise(
  students: RegressionStudentReport[],
  teacherRmse: number,
): RegressionDistillationSummary | undefined {
  const top = students
    .filter((s) => s.kind === 'distilled')
    .reduce<RegressionStudentReport | undefined>((a, b) => (a && a.rmse <= b.rmse ? a : b), undefined);
  if (!top) return undefined;
  const summary: RegressionDistillationSummary = { bestStudent: top.name, bestRmse: top.rmse };
  const baseline = students.find((s) => s.kind === 'baseline');
  if (baseline) {
    summary.baseline = baseline.name;
    summary.baselineRmse = baseline.rmse;
    const gap = baseline.rmse - teacherRmse;
    if (gap > 0) summary.gapRecovered = r((baseline.rmse - top.rmse) / gap);
  }
  return summary;
}
