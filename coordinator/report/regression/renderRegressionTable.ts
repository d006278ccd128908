import { duration, metric, percent } from '../../../core/report/format.ts';
import type { RegressionReport, RegressionScores } from '../../../core/report/regressionReport.ts';
import { fit, TABLE_WIDTH, wrap } from '../renderTable.ts';
import { regressionSummaryLine } from './regressionSummaryLine.ts';
import { regressionMethodRows } from './regressionTables.ts';

const NAME_MIN = 10;
const NAME_MAX = 24;

/** The plain-text summary printed at the end of a regression job: one row per predictor, within 80 columns. */
export function renderRegressionTable(report: RegressionReport): string {
  const rows: { name: string; kind: string; scores: RegressionScores }[][] = [
    report.members.map((m) => ({ name: m.name, kind: 'member', scores: m })),
    regressionMethodRows(report).map((row) => ({
      name: row.name,
      kind: row.name.startsWith('teacher') ? 'teacher' : 'ensemble',
      scores: row.scores,
    })),
    report.students.map((s) => ({ name: s.name, kind: s.kind, scores: s })),
  ];
  const all = rows.flat();
  const nameWidth = Math.min(NAME_MAX, Math.max(NAME_MIN, ...all.map((r) => r.name.length)));
  const columns: [string, number, 'left' | 'right'][] = [
    ['name', nameWidth, 'left'],
    ['kind', 9, 'left'],
    ['RMSE', 8, 'right'],
    ['MAE', 8, 'right'],
    ['R²', 7, 'right'],
    ['NLL', 7, 'right'],
    ['cov90', 6, 'right'],
  ];
  const line = (cells: string[]): string =>
    columns
      .map(([, width, align], i) => {
        const cell = fit(cells[i] ?? '', width);
        return align === 'left' ? cell.padEnd(width) : cell.padStart(width);
      })
      .join('  ')
      .trimEnd();
  const rule = columns.map(([, width]) => '-'.repeat(width)).join('  ');
  const d = report.dataset;
  const out: string[] = [
    ...wrap(
      `Chorus report for ${report.job} (${report.backend}): ${d.test} test samples, regression ` +
        `(scores in the target's units)`,
      TABLE_WIDTH,
    ),
    '',
    line(columns.map(([title]) => title)),
  ];
  for (const section of rows) {
    if (section.length === 0) continue;
    out.push(rule);
    for (const row of section) {
      const s = row.scores;
      out.push(
        line([
          row.name,
          row.kind,
          metric(s.rmse),
          metric(s.mae),
          s.r2.toFixed(3),
          s.nll === null ? '-' : metric(s.nll),
          s.coverage90 === null ? '-' : percent(s.coverage90, 1),
        ]),
      );
    }
  }
  out.push('cov90: share of test targets inside the central 90% predictive interval', '');
  out.push(...wrap(regressionSummaryLine(report), TABLE_WIDTH));
  const t = report.timing;
  out.push(
    ...wrap(
      `time: ${duration(t.wallSeconds)} wall, ${duration(t.taskSeconds)} in tasks (${t.parallelism}x parallel)` +
        (t.retries > 0 ? `, ${t.retries} ${t.retries === 1 ? 'retry' : 'retries'}` : ''),
      TABLE_WIDTH,
    ),
  );
  return out.join('\n') + '\n';
}
