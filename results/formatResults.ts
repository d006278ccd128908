import { metric, percent } from '../core/report/format.ts';

/** Formatting for docs/RESULTS.md: the same digits as report.md, and `—` where a run has no value. */

export const NONE = '—';

/** A fraction as a percentage with 2 decimals, or `—`. */
export function pct(value: number | undefined): string {
  return value === undefined ? NONE : percent(value);
}

/** NLL or ECE with 4 decimals, or `—`. */
export function num4(value: number | undefined): string {
  return value === undefined ? NONE : metric(value);
}

/** Whole seconds. */
export function seconds(value: number): string {
  return value.toFixed(0);
}

/** A temperature or alpha as written in the job, or `—`. */
export function setting(value: number | undefined): string {
  return value === undefined ? NONE : String(value);
}

/** Names and titles come from job files: keep them from breaking tables or turning into markup. */
export function escapeMd(text: string): string {
  return text.replace(/[\\|*_`[<>]/g, (c) => `\\${c}`);
}

/** A GitHub-flavoured Markdown table; cells are used as given (escape names before). */
export function markdownTable(
  columns: readonly string[],
  rows: readonly string[][],
  leftColumns = 1,
): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [
    line(columns),
    line(columns.map((_, i) => (i < leftColumns ? '---' : '---:'))),
    ...rows.map(line),
  ].join('\n');
}
