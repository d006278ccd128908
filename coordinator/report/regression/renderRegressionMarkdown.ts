import type { RegressionReport } from '../../../core/report/regressionReport.ts';
import { escapeMd, markdownTable } from '../renderMarkdown.ts';
import { regressionSummaryLine } from './regressionSummaryLine.ts';
import { regressionTables } from './regressionTables.ts';

/** A regression job's `report.md`: the summary sentence, the run's facts and the tables. */
export function renderRegressionMarkdown(report: RegressionReport): string {
  const d = report.dataset;
  const out: string[] = [
    `# Chorus report: ${escapeMd(report.job)}`,
    '',
    `**${escapeMd(regressionSummaryLine(report))}**`,
    '',
    `- dataset: ${d.train} train, ${d.validation} validation, ${d.test} test samples; ${d.features} features; regression`,
    `- backend: ${escapeMd(report.backend)}; chorus ${escapeMd(report.chorusVersion)}; created ${escapeMd(report.createdAt)}`,
    '',
  ];
  for (const t of regressionTables(report)) {
    out.push(`## ${escapeMd(t.title)}`, '', markdownTable(t), '');
    for (const note of t.notes) out.push(escapeMd(note), '');
  }
  return out.join('\n');
}
