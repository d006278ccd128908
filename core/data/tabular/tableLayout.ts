import type { JobTask } from '../../spec/jobTask.ts';
import { CSV_TABLE_DEFAULTS, type DataSource } from '../../spec/data.ts';

export type CsvSource = Extract<DataSource, { format: 'csv' }>;

/** A column as the job file names it: by a name (from the header or `columns`) or a 0-based index. */
export type ColumnRef = string | number;

/** A csv source's table fields with their defaults filled. */
export interface TableLayout {
  skipLines: number;
  header: boolean;
  columns: readonly string[] | undefined;
  delimiter: ',' | ';' | 'tab' | 'space';
  labelColumn: ColumnRef;
  features: 'all' | readonly ColumnRef[];
  categorical: readonly ColumnRef[];
  unknownCategories: 'refuse' | 'zeros';
}

export function tableLayout(source: CsvSource): TableLayout {
  const d = CSV_TABLE_DEFAULTS;
  return {
    skipLines: source.skipLines ?? d.skipLines,
    header: source.header ?? d.header,
    columns: source.columns,
    delimiter: source.delimiter ?? d.delimiter,
    labelColumn: source.labelColumn,
    features: source.features ?? d.features,
    categorical: source.categorical ?? d.categorical,
    unknownCategories: source.unknownCategories ?? d.unknownCategories,
  };
}

/**
 * Whether a csv source is read by the table reader (quoted fields, delimiters, skipped lines, named
 * feature columns, categories, real-valued targets) rather than the plain numeric reader of csv.ts,
 * which is kept for the classification files it always read (image CSVs of millions of numbers). On
 * a plain numeric file both give the same dataset.
 */
export function usesTableReader(source: CsvSource, task: JobTask): boolean {
  const l = tableLayout(source);
  const d = CSV_TABLE_DEFAULTS;
  return (
    task === 'regression' ||
    l.skipLines !== d.skipLines ||
    l.header !== d.header ||
    l.columns !== undefined ||
    l.delimiter !== d.delimiter ||
    l.features !== d.features ||
    l.categorical.length > 0
  );
}
