import { duration, metric, percent } from '../../core/report/format.ts';
import type { Report } from '../../core/report/report.ts';
import { isRegressionReport, type JobReport } from '../../core/report/regressionReport.ts';
import { renderRegressionTable } from './regression/renderRegressionTable.ts';
import { scoreRows, type ScoreRow } from './reportRows.ts';
import { summaryLine } from './summaryLine.ts';

/** The terminal is assumed to be this wide; every line of the table fits. */
export const TABLE_WIDTH = 80;
const NAME_MIN = 10;
const NAME_MAX = 28;

/**
 * The compact plain-text summary printed at the end of `chorus run`: one aligned row per member,
 * ensemble method and student, then the summary sentence and the timings, all within 80 columns.
 */
export function renderTable(jobReport: JobReport): string {
  if (isRegressionReport(jobReport)) return renderRegressionTable(jobReport);
  const report: Report = jobReport;
  const rows = scoreRows(report);
  const all = [...rows.members, ...rows.ensemble, ...rows.students];
  const nameWidth = Math.min(NAME_MAX, Math.max(NAME_MIN, ...all.map((r) => r.name.length)));
  const hasAgreement = rows.students.length > 0;
  const columns: [string, number, 'left' | 'right'][] = [
    ['name', nameWidth, 'left'],
    ['kind', 9, 'left'],
    ['accuracy', 8, 'right'],
    ['NLL', 7, 'right'],
    ['ECE', 7, 'right'],
    ...(hasAgreement ? [['agree', 7, 'right'] as [string, number, 'right']] : []),
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
  const cellsOf = (row: ScoreRow): string[] => [
    row.name,
    row.kind,
    percent(row.accuracy),
    row.nll === undefined ? '-' : metric(row.nll),
    row.ece === undefined ? '-' : metric(row.ece),
    row.agreementWithTeacher === undefined ? '' : percent(row.agreementWithTeacher, 1),
  ];

  const out: string[] = [];
  const d = report.dataset;
  out.push(
    ...wrap(
      `Chorus report for ${report.job} (${report.backend}): ${d.test} test samples, ${d.classes} classes`,
      TABLE_WIDTH,
    ),
  );
  out.push('');
  out.push(line(columns.map(([title]) => title)));
  for (const section of [rows.members, rows.ensemble, rows.students]) {
    if (section.length === 0) continue;
    out.push(rule);
    for (const row of section) out.push(line(cellsOf(row)));
  }
  if (hasAgreement) out.push("agree: share of test samples on which the student picks the teacher's class");
  out.push('');
  out.push(...wrap(summaryLine(report), TABLE_WIDTH));
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

/** Cuts text longer than width, marking the cut with `~` (plain ASCII: every terminal counts it as one column). */
export function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}~`;
}

/** Greedy word wrap; a single word longer than the width is cut. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const next = current === '' ? word : `${current} ${word}`;
    if (next.length <= width) current = next;
    else {
      if (current !== '') lines.push(current);
      current = fit(word, width);
    }
  }
  if (current !== '') lines.push(current);
  return lines;
}
