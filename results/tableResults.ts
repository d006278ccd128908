import type { RegressionReport } from '../core/report/regressionReport.ts';
import type { Report } from '../core/report/report.ts';
import { escapeMd, markdownTable, NONE, num4, pct } from './formatResults.ts';
import type { ResultsExperiment } from './renderResults.ts';
import { spread, type Spread } from './seedGroups.ts';

/**
 * The tables of issue 20 in docs/RESULTS.md: regression experiments (RMSE, NLL and 90% interval
 * coverage of members, every combiner and the students) and tabular classification repeated over seeds
 * (diagnostics, out-of-bag and out-of-fold stacking), each seed a row and the mean ± sd over seeds below.
 */

/** Job names of the tabular classification experiments (their seeds are not the recipe experiment's). */
export const TABLE_CLASSIFICATION = /^breast-cancer-s\d+$/;

const f = (v: number | null | undefined, digits = 3): string =>
  v === null || v === undefined ? NONE : v.toFixed(digits);
const meanSd = (values: readonly (number | null | undefined)[], digits = 3, scale = 1): string => {
  const s: Spread | undefined = spread(values.filter((v): v is number => typeof v === 'number'));
  if (!s) return NONE;
  return `${(s.mean * scale).toFixed(digits)} ± ${(s.sd * scale).toFixed(digits)}`;
};

export function regressionSection(experiments: readonly ResultsExperiment<RegressionReport>[]): string[] {
  if (experiments.length === 0) return [];
  const reports = experiments.map((e) => e.report);
  const student = (r: RegressionReport) => r.students.find((s) => s.kind === 'distilled');
  const baseline = (r: RegressionReport) => r.students.find((s) => s.kind === 'baseline');
  const figures: [string, (r: RegressionReport) => number | null | undefined, number][] = [
    ['mean member RMSE', (r) => r.meanMember.rmse, 3],
    ['mean member NLL', (r) => r.meanMember.nll, 3],
    ['mean member coverage90', (r) => r.meanMember.coverage90, 3],
    ['deep ensemble (mixture) RMSE', (r) => r.ensemble.mean?.rmse, 3],
    ['deep ensemble (mixture) NLL', (r) => r.ensemble.mean?.nll, 3],
    ['deep ensemble (mixture) coverage90', (r) => r.ensemble.mean?.coverage90, 3],
    ['mixture NLL − mean member NLL', (r) => diff(r.ensemble.mean?.nll, r.meanMember.nll), 3],
    ['median RMSE', (r) => r.ensemble.median?.rmse, 3],
    ['stacking (validation) RMSE', (r) => r.ensemble.stacking?.rmse, 3],
    ['stacking (out-of-fold) RMSE', (r) => r.ensemble.stacking?.outOfFold?.rmse, 3],
    ['distilled student RMSE', (r) => student(r)?.rmse, 3],
    ['distilled student NLL', (r) => student(r)?.nll, 3],
    ['baseline student RMSE', (r) => baseline(r)?.rmse, 3],
    ['baseline student NLL', (r) => baseline(r)?.nll, 3],
  ];
  const d = reports[0]!.dataset;
  return [
    '## Regression: deep ensembles on Boston housing',
    '',
    `Test split scores in the target's units ($1000s), for ${reports.length} seed${reports.length === 1 ? '' : 's'} (${reports
      .map((r) => escapeMd(r.job))
      .join(', ')}; each seed also draws its own test split of ${d.test} houses, with ` +
      `${d.train} for training and ${d.validation} for validation). NLL: mean Gaussian negative ` +
      'log-likelihood in nats; coverage90: share of test targets inside the central 90% predictive interval.',
    '',
    markdownTable(
      ['figure', ...reports.map((r) => escapeMd(r.job)), 'mean ± sd'],
      figures.map(([label, get, digits]) => [
        label,
        ...reports.map((r) => f(get(r), digits)),
        meanSd(reports.map(get), digits),
      ]),
    ),
    '',
  ];
}

function diff(a: number | null | undefined, b: number | null | undefined): number | undefined {
  return typeof a === 'number' && typeof b === 'number' ? a - b : undefined;
}

export function tableClassificationSection(experiments: readonly ResultsExperiment<Report>[]): string[] {
  if (experiments.length === 0) return [];
  const reports = experiments.map((e) => e.report);
  const distilled = (r: Report) => r.students.find((s) => s.kind === 'distilled');
  const baseline = (r: Report) => r.students.find((s) => s.kind === 'baseline');
  const figures: [string, (r: Report) => number | undefined, 'percent' | 'plain'][] = [
    ['mean member accuracy', (r) => r.meanMember.accuracy, 'percent'],
    ['soft vote accuracy', (r) => r.ensemble.soft?.accuracy, 'percent'],
    ['hard vote accuracy', (r) => r.ensemble.hard?.accuracy, 'percent'],
    ['stacking (validation) accuracy', (r) => r.ensemble.stacking?.accuracy, 'percent'],
    ['stacking (out-of-fold) accuracy', (r) => r.ensemble.stacking?.outOfFold?.accuracy, 'percent'],
    ['stacking (validation) NLL', (r) => r.ensemble.stacking?.nll, 'plain'],
    ['stacking (out-of-fold) NLL', (r) => r.ensemble.stacking?.outOfFold?.nll, 'plain'],
    [
      'out-of-bag accuracy (bagged members’ ensemble)',
      (r) => r.diagnostics?.outOfBag?.ensemble.accuracy,
      'percent',
    ],
    ['mean disagreement between members', (r) => r.diagnostics?.meanDisagreement, 'percent'],
    ['NLL gain of the soft vote over the mean member', (r) => r.diagnostics?.nllGain, 'plain'],
    ['distilled student accuracy', (r) => distilled(r)?.accuracy, 'percent'],
    ['baseline student accuracy', (r) => baseline(r)?.accuracy, 'percent'],
  ];
  const d = reports[0]!.dataset;
  const cell = (v: number | undefined, unit: 'percent' | 'plain') => (unit === 'percent' ? pct(v) : num4(v));
  return [
    '## Tabular classification: breast cancer, over seeds',
    '',
    `Test split scores for ${reports.length} seed${reports.length === 1 ? '' : 's'} (each seed draws its own test split of ${d.test} tumours; ` +
      `${d.train} for training, ${d.validation} for validation). Out-of-bag accuracy is measured on the ` +
      'training split; disagreement is the share of test samples on which two members predict different classes.',
    '',
    markdownTable(
      ['figure', ...reports.map((r) => escapeMd(r.job)), 'mean ± sd'],
      figures.map(([label, get, unit]) => [
        label,
        ...reports.map((r) => cell(get(r), unit)),
        unit === 'percent' ? `${meanSd(reports.map(get), 2, 100)} %` : meanSd(reports.map(get), 4),
      ]),
    ),
    '',
  ];
}
