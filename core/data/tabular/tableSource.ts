import { NonRetryableError } from '../../errors.ts';
import type { JobTask } from '../../spec/jobTask.ts';
import type { DataFiles } from '../dataFiles.ts';
import type { Dataset } from '../dataset.ts';
import { encodeTable, type Categories } from './encodeTable.ts';
import { readTable, type RawTable } from './readTable.ts';
import { selectColumns, type ColumnSelection } from './selectColumns.ts';
import { tableLayout, type CsvSource, type TableLayout } from './tableLayout.ts';

/** A csv source read as a table, its columns resolved: ready to be encoded. */
export interface TableSource {
  table: RawTable;
  selection: ColumnSelection;
  layout: TableLayout;
  /** How messages name the file. */
  file: string;
}

export async function readTableSource(source: CsvSource, files: DataFiles): Promise<TableSource> {
  const file = files.nameOf(source.path);
  const layout = tableLayout(source);
  const table = readTable(await files.read(source.path), file, layout);
  return { table, selection: selectColumns(table, layout, file), layout, file };
}

export function hasCategories(source: TableSource): boolean {
  return source.selection.features.some((c) => c.categorical);
}

export function encodeTableSource(
  source: TableSource,
  task: JobTask,
  categories: Categories,
  classes: number | undefined,
): Dataset {
  return encodeTable(
    source.table,
    source.selection,
    {
      task,
      categories,
      unknownCategories: source.layout.unknownCategories,
      ...(classes !== undefined ? { classes } : {}),
    },
    source.file,
  );
}

/** A table source without categorical columns, on its own (categories are fitted on a training split). */
export async function loadTableSource(
  source: CsvSource,
  files: DataFiles,
  task: JobTask,
  classes: number | undefined,
): Promise<Dataset> {
  const read = await readTableSource(source, files);
  if (hasCategories(read)) {
    throw new NonRetryableError(
      `${read.file}: categorical columns are encoded with the categories of a training split: load the job's data with prepareData`,
    );
  }
  return encodeTableSource(read, task, new Map(), classes);
}
