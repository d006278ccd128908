import { count, duration, metric, percent, plain } from '../../../core/report/format.ts';
import type { RegressionReport, RegressionScores } from '../../../core/report/regressionReport.ts';
import { epochsCell, learningRateTable } from '../recipeTables.ts';
import type { ReportTable } from '../reportTables.ts';
import { timingTables } from '../timingRows.ts';

const L = 'left' as const;
const R = 'right' as const;

export const REGRESSION_METHOD_LABELS = {
  mean: 'mean (mixture)',
  weighted: 'weighted mean (mixture)',
  median: 'median',
  stacking: 'stacking',
} as const;

/** A regression report's scored predictors in display order: ensemble methods, then the teacher. */
export function regressionMethodRows(report: RegressionReport): { name: string; scores: RegressionScores }[] {
  const e = report.ensemble;
  const rows: { name: string; scores: RegressionScores }[] = [];
  for (const key of ['mean', 'weighted', 'median'] as const) {
    const s = e[key];
    if (s) rows.push({ name: REGRESSION_METHOD_LABELS[key], scores: s });
  }
  if (e.stacking) {
    rows.push({ name: REGRESSION_METHOD_LABELS.stacking, scores: e.stacking });
    const oof = e.stacking.outOfFold;
    if (oof) rows.push({ name: `${REGRESSION_METHOD_LABELS.stacking} (out-of-fold)`, scores: oof });
  }
  rows.push({ name: 'teacher (mixture)', scores: report.teacher });
  return rows;
}

export const number = (v: number | null): string => (v === null ? '-' : metric(v));
export const share = (v: number | null): string => (v === null ? '-' : percent(v, 1));

const SCORE_COLUMNS: ReportTable['columns'] = [
  { label: 'RMSE', align: R },
  { label: 'MAE', align: R },
  { label: 'R²', align: R },
  { label: 'NLL', align: R },
  { label: '90% coverage', align: R },
  { label: 'variance', align: L },
];

function scoreCells(s: RegressionScores): string[] {
  return [metric(s.rmse), metric(s.mae), metric(s.r2), number(s.nll), share(s.coverage90), s.variance];
}

/** The regression report's tables: members, ensemble, students, interval coverage, learning rates, timing. */
export function regressionTables(report: RegressionReport): ReportTable[] {
  const tables: ReportTable[] = [];
  const mean = report.meanMember;
  tables.push({
    id: 'members',
    title: 'Members',
    columns: [
      { label: 'member', align: L },
      { label: 'head', align: L },
      { label: 'parameters', align: R },
      { label: 'weight', align: R },
      { label: 'teacher', align: L },
      ...SCORE_COLUMNS,
      { label: 'epochs', align: R },
      { label: 'train time', align: R },
    ],
    rows: report.members.map((m) => ({
      best: m.name === report.bestMember,
      cells: [
        m.name,
        m.head,
        count(m.parameters),
        plain(m.weight),
        m.teacher ? 'yes' : '',
        ...scoreCells(m),
        epochsCell(m),
        duration(m.trainSeconds),
      ],
    })),
    notes: [
      `Mean member: RMSE ${metric(mean.rmse)}, MAE ${metric(mean.mae)}, R² ${metric(mean.r2)}, ` +
        `NLL ${number(mean.nll)}, 90% coverage ${share(mean.coverage90)}. Best member (lowest RMSE): ${report.bestMember}.`,
      `Scores in the target's units (standardised for training with mean ${report.dataset.target.mean} and ` +
        `standard deviation ${report.dataset.target.std} of the training split). NLL: mean Gaussian negative ` +
        'log-likelihood per sample in nats. Variance: gaussian (the head), mixture (the members’), residuals ' +
        '(a constant variance from held-out residuals).',
    ],
  });

  const mixture = report.ensemble.mean ?? report.ensemble.weighted;
  const stacking = report.ensemble.stacking;
  tables.push({
    id: 'ensemble',
    title: 'Ensemble',
    columns: [{ label: 'method', align: L }, ...SCORE_COLUMNS],
    rows: regressionMethodRows(report).map((row) => ({ cells: [row.name, ...scoreCells(row.scores)] })),
    notes: [
      'Mean and weighted mean: the mixture of the members’ predictive distributions (its mean is the mean of ' +
        'their means; its variance their mean variance plus the spread of their means). Median: the median of ' +
        'the members’ means.',
      ...(mixture && mixture.nll !== null && mean.nll !== null
        ? [`NLL gain of the mixture over the mean member: ${metric(mean.nll - mixture.nll)} nats.`]
        : []),
      `Teacher: the mixture of the teacher members (${report.teacher.members.join(', ')}), weighted by their weights.`,
      ...(stacking
        ? [
            `Stacking: a linear combiner of the members’ means fitted by ridge least squares on the validation split ` +
              `(weights ${stacking.combiner.weights.join(', ')}; intercept ${stacking.combiner.intercept})` +
              (stacking.outOfFold
                ? `; out-of-fold: the same fitted on the members’ out-of-fold predictions of the training split, ` +
                  `${stacking.outOfFold.folds} folds (weights ` +
                  `${stacking.outOfFold.combiner.weights.join(', ')}; intercept ${stacking.outOfFold.combiner.intercept}).`
                : '.'),
          ]
        : []),
    ],
  });

  if (report.students.length > 0) {
    tables.push({
      id: 'students',
      title: 'Students',
      columns: [
        { label: 'student', align: L },
        { label: 'kind', align: L },
        { label: 'head', align: L },
        { label: 'parameters', align: R },
        { label: 'alpha', align: R },
        ...SCORE_COLUMNS,
        { label: 'RMSE to teacher', align: R },
        { label: 'train time', align: R },
      ],
      rows: report.students.map((s) => ({
        best: s.name === report.distillation?.bestStudent,
        cells: [
          s.name,
          s.kind,
          s.head,
          count(s.parameters),
          plain(s.alpha),
          ...scoreCells(s),
          metric(s.rmseToTeacher),
          duration(s.trainSeconds),
        ],
      })),
      notes: [
        'A distilled student learns the teacher’s mean (and, with a Gaussian head, its variance), weighted by ' +
          'alpha against the true targets (weight 1 − alpha); the baseline learns the targets alone.',
      ],
    });
  }

  const withCoverage = [
    ...report.members.map((m) => ({ name: m.name, scores: m as RegressionScores })),
    ...regressionMethodRows(report),
    ...report.students.map((s) => ({ name: s.name, scores: s as RegressionScores })),
  ].filter((row) => row.scores.coverage !== undefined);
  if (withCoverage.length > 0) {
    tables.push({
      id: 'coverage',
      title: 'Interval coverage (calibration)',
      columns: [
        { label: 'predictor', align: L },
        ...report.coverageLevels.map((level) => ({ label: percent(level, 0), align: R })),
      ],
      rows: withCoverage.map((row) => ({
        cells: [row.name, ...(row.scores.coverage ?? []).map((c) => percent(c, 1))],
      })),
      notes: [
        'The share of test targets inside each central predictive interval (mean ± z·σ) of the nominal ' +
          'probability in the column heading: equal to it when calibrated, below it when the intervals are too narrow.',
      ],
    });
  }

  const rates = learningRateTable(report);
  if (rates) tables.push(rates);
  tables.push(...timingTables(report));
  return tables;
}
