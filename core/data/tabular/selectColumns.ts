import { DatasetError } from '../../errors.ts';
import type { RawTable } from './readTable.ts';
import type { ColumnRef, TableLayout } from './tableLayout.ts';

/** One feature column: where it is, whether it holds categories, and how messages may name it. */
export interface FeatureColumn {
  index: number;
  categorical: boolean;
  /** The name the job file gave it, if it named it (only names from the job file are quoted). */
  name?: string;
}

export interface ColumnSelection {
  label: number;
  labelName?: string;
  /** In the order the features are laid out. */
  features: FeatureColumn[];
}

/** `column 3` or `column 3 ("AGE")` when the job file named it: never a name read from the file. */
export function columnLabel(index: number, name: string | undefined): string {
  return name === undefined ? `column ${index}` : `column ${index} (${JSON.stringify(name)})`;
}

/**
 * The label column and the feature columns a csv source asks for, resolved against the table: by
 * 0-based index, or by name in the header (or `columns`). Features default to every column but the
 * label's, in file order; categorical columns must be features.
 */
export function selectColumns(table: RawTable, layout: TableLayout, file: string): ColumnSelection {
  const resolve = (ref: ColumnRef, field: string): number => resolveColumn(table, ref, field, file);
  const label = resolve(layout.labelColumn, 'labelColumn');
  const labelName = typeof layout.labelColumn === 'string' ? layout.labelColumn : undefined;
  const categorical = new Map<number, string | undefined>();
  for (const ref of layout.categorical) {
    const index = resolve(ref, 'categorical');
    if (index === label) {
      throw new DatasetError(file, `categorical: ${columnLabel(index, nameOf(ref))} is the label column`);
    }
    categorical.set(index, nameOf(ref));
  }
  let features: FeatureColumn[];
  if (layout.features === 'all') {
    features = [];
    for (let j = 0; j < table.width; j++) {
      if (j !== label) features.push(feature(j, categorical));
    }
  } else {
    const seen = new Set<number>();
    features = layout.features.map((ref) => {
      const index = resolve(ref, 'features');
      if (index === label) {
        throw new DatasetError(file, `features: ${columnLabel(index, nameOf(ref))} is the label column`);
      }
      if (seen.has(index))
        throw new DatasetError(file, `features: ${columnLabel(index, nameOf(ref))} is listed twice`);
      seen.add(index);
      return { ...feature(index, categorical), ...(nameOf(ref) !== undefined ? { name: nameOf(ref)! } : {}) };
    });
    for (const [index, name] of categorical) {
      if (!seen.has(index)) {
        throw new DatasetError(file, `categorical: ${columnLabel(index, name)} is not among the features`);
      }
    }
  }
  if (features.length === 0)
    throw new DatasetError(file, 'no feature columns: the table holds only the label column');
  return { label, ...(labelName !== undefined ? { labelName } : {}), features };
}

function nameOf(ref: ColumnRef): string | undefined {
  return typeof ref === 'string' ? ref : undefined;
}

function feature(index: number, categorical: ReadonlyMap<number, string | undefined>): FeatureColumn {
  const name = categorical.get(index);
  return { index, categorical: categorical.has(index), ...(name !== undefined ? { name } : {}) };
}

function resolveColumn(table: RawTable, ref: ColumnRef, field: string, file: string): number {
  const columns = `${table.width} column${table.width === 1 ? '' : 's'}`;
  if (typeof ref === 'number') {
    if (ref >= table.width) {
      throw new DatasetError(file, `${field}: column index ${ref} is out of range, the table has ${columns}`);
    }
    return ref;
  }
  if (table.names === undefined) {
    throw new DatasetError(
      file,
      `${field}: no column named ${JSON.stringify(ref)}: the file has no header (name its columns with ` +
        '`columns`, or give 0-based column indices)',
    );
  }
  const matches = table.names.flatMap((n, j) => (n === ref ? [j] : []));
  if (matches.length === 0) {
    throw new DatasetError(
      file,
      `${field}: no column named ${JSON.stringify(ref)} among the table's ${columns}`,
    );
  }
  if (matches.length > 1) {
    throw new DatasetError(file, `${field}: ${JSON.stringify(ref)} names columns ${matches.join(', ')}`);
  }
  return matches[0]!;
}
