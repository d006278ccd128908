import { metric } from '../../../core/report/format.ts';
import type { RegressionReport } from '../../../core/report/regressionReport.ts';
import { regressionMethodRows } from './regressionTables.ts';

/**
 * One sentence with the result that matters, e.g. "mean (mixture): RMSE 3.012, NLL 2.481 vs best member
 * RMSE 3.254 vs mean member RMSE 3.418, NLL 2.734; best distilled student RMSE 3.301 vs baseline 3.520".
 */
export function regressionSummaryLine(report: RegressionReport): string {
  const parts: string[] = [];
  const methods = regressionMethodRows(report).filter((row) => !row.name.startsWith('teacher'));
  const top = methods.reduce<(typeof methods)[number] | undefined>(
    (a, b) => (a === undefined || b.scores.rmse < a.scores.rmse ? b : a),
    undefined,
  );
  const best = report.members.find((m) => m.name === report.bestMember);
  const nll = (v: number | null) => (v === null ? '' : `, NLL ${metric(v)}`);
  const mean = report.meanMember;
  const memberPart = `best member RMSE ${metric(best?.rmse ?? 0)} vs mean member RMSE ${metric(mean.rmse)}${nll(mean.nll)}`;
  parts.push(
    top ? `${top.name}: RMSE ${metric(top.scores.rmse)}${nll(top.scores.nll)} vs ${memberPart}` : memberPart,
  );
  const d = report.distillation;
  if (d) {
    parts.push(
      `best distilled student RMSE ${metric(d.bestRmse)}` +
        (d.baselineRmse !== undefined ? ` vs baseline ${metric(d.baselineRmse)}` : '') +
        ` (teacher ${metric(report.teacher.rmse)})`,
    );
  }
  return parts.join('; ');
}
