import type { Report } from '../../core/report/report.ts';
import { reportTables, type ReportTable } from './reportTables.ts';
import { summaryLine } from './summaryLine.ts';

/** `report.md`: the summary sentence, the run's facts and the tables (see reportTables). */
export function renderMarkdown(report: Report): string {
  const d = report.dataset;
  const out: string[] = [
    `# Chorus report: ${escapeMd(report.job)}`,
    '',
    `**${escapeMd(summaryLine(report))}**`,
    '',
    `- dataset: ${d.train} train, ${d.validation} validation, ${d.test} test samples; ${d.classes} classes`,
    `- backend: ${escapeMd(report.backend)}; chorus ${escapeMd(report.chorusVersion)}; created ${escapeMd(report.createdAt)}`,
    '',
  ];
  for (const t of reportTables(report)) {
    out.push(`## ${escapeMd(t.title)}`, '', markdownTable(t), '');
    for (const note of t.notes) out.push(escapeMd(note), '');
  }
  return out.join('\n');
}

/** A GitHub-flavoured Markdown table; the best row's first cell is bold. */
export function markdownTable(table: ReportTable): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const rows = table.rows.map((row) =>
    line(row.cells.map((c, i) => (i === 0 && row.best ? `**${escapeMd(c)}**` : escapeMd(c)))),
  );
  return [
    line(table.columns.map((c) => escapeMd(c.label))),
    line(table.columns.map((c) => (c.align === 'right' ? '---:' : '---'))),
    ...rows,
  ].join('\n');
}

/** Names come from job files: keep them from breaking tables or turning into markup. */
export function escapeMd(text: string): string {
  return text.replace(/[\\|*_`[<>]/g, (c) => `\\${c}`);
}
