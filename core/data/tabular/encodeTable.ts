import { DatasetError } from '../../errors.ts';
import type { JobTask } from '../../spec/jobTask.ts';
import { NUMBER, parseDigits } from '../csv.ts';
import type { Dataset } from '../dataset.ts';
import { classesOf, validateLabels } from '../validate.ts';
import type { RawTable } from './readTable.ts';
import { columnLabel, type ColumnSelection, type FeatureColumn } from './selectColumns.ts';

/**
 * The categories of each categorical feature, by its position in the feature list (so that the test
 * file's columns may be ordered otherwise), sorted: the one-hot layout.
 */
export type Categories = ReadonlyMap<number, readonly string[]>;

/** Fields read as missing values: empty, or a usual marker (matched ignoring case). */
const MISSING = /^(?:|na|n\/a|nan|null|none|\?)$/i;

export function isMissing(field: string): boolean {
  return MISSING.test(field);
}

/**
 * The categories of the categorical columns over `rows` of the table (the training split's), sorted by
 * code point as scikit-learn's OneHotEncoder sorts them, so the layout does not depend on row order.
 */
export function fitCategories(
  table: RawTable,
  selection: ColumnSelection,
  rows: ArrayLike<number>,
  file: string,
): Categories {
  const out = new Map<number, string[]>();
  for (const [position, column] of selection.features.entries()) {
    if (!column.categorical) continue;
    const seen = new Set<string>();
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k]!;
      const field = table.fields[r * table.width + column.index]!;
      if (isMissing(field)) throw missing(table, r, column, file);
      seen.add(field);
    }
    out.set(
      position,
      [...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  }
  return out;
}

export interface EncodeOptions {
  task: JobTask;
  categories: Categories;
  unknownCategories: 'refuse' | 'zeros';
  /** Classification: the expected number of classes (default: the largest label + 1). */
  classes?: number;
}

/**
 * The table as a Dataset: numeric features as float32 (as the plain CSV reader parses them), each
 * categorical column as one value per category (1 for the row's category), the label column as class
 * indices (classification) or real-valued targets (regression). A missing value anywhere, or a
 * category the fit did not see (with `unknownCategories: refuse`), is refused with its row and column.
 */
export function encodeTable(
  table: RawTable,
  selection: ColumnSelection,
  options: EncodeOptions,
  file: string,
): Dataset {
  const categoriesOf = (position: number): readonly string[] => {
    const list = options.categories.get(position);
    if (!list)
      throw new DatasetError(file, `feature ${position} is categorical here but not in the training data`);
    return list;
  };
  const widths = selection.features.map((c, i) => (c.categorical ? categoriesOf(i).length : 1));
  const featureCount = widths.reduce((a, b) => a + b, 0);
  if (featureCount === 0)
    throw new DatasetError(file, 'no feature values: every categorical column is empty');
  const n = table.count;
  const x = new Float32Array(n * featureCount);
  const y = new Int32Array(n);
  const targets = options.task === 'regression' ? new Float32Array(n) : undefined;
  const lookups = selection.features.map((c, i) =>
    c.categorical ? new Map(categoriesOf(i).map((name, k) => [name, k])) : undefined,
  );
  const labelColumn: FeatureColumn = {
    index: selection.label,
    categorical: false,
    ...(selection.labelName !== undefined ? { name: selection.labelName } : {}),
  };
  for (let r = 0; r < n; r++) {
    let k = r * featureCount;
    selection.features.forEach((column, c) => {
      const field = table.fields[r * table.width + column.index]!;
      if (isMissing(field)) throw missing(table, r, column, file);
      const lookup = lookups[c];
      if (lookup) {
        const hot = lookup.get(field);
        if (hot === undefined && options.unknownCategories === 'refuse') {
          throw new DatasetError(
            file,
            `${where(table, r, column)}: a category the training split does not have ` +
              '(unknownCategories: zeros encodes it as all zeros)',
          );
        }
        if (hot !== undefined) x[k + hot] = 1;
      } else {
        x[k] = numberAt(field, table, r, column, file, TEXT_HINT);
      }
      k += widths[c]!;
    });
    const label = table.fields[r * table.width + selection.label]!;
    if (isMissing(label)) throw missing(table, r, labelColumn, file);
    if (targets) targets[r] = numberAt(label, table, r, labelColumn, file, '');
    else y[r] = classAt(label, table, r, labelColumn, file, options.classes);
  }
  if (targets) return { x, y, targets, count: n, sampleShape: [featureCount], classes: 1 };
  const classes = options.classes ?? classesOf(y);
  validateLabels(y, n, classes, file);
  return { x, y, count: n, sampleShape: [featureCount], classes };
}

function where(table: RawTable, r: number, column: FeatureColumn): string {
  return `row ${r} (line ${table.lines[r]}), ${columnLabel(column.index, column.name)}`;
}

function missing(table: RawTable, r: number, column: FeatureColumn, file: string): DatasetError {
  return new DatasetError(file, `${where(table, r, column)}: missing value (empty or a marker such as NA)`);
}

const TEXT_HINT = ' (list the column in `categorical` to one-hot encode text)';

/** A finite float32, parsed as the plain CSV reader parses features. */
function numberAt(
  field: string,
  table: RawTable,
  r: number,
  column: FeatureColumn,
  file: string,
  hint: string,
): number {
  const plain = parseDigits(field);
  if (plain >= 0) return plain;
  if (NUMBER.test(field)) {
    const v = Math.fround(Number(field));
    if (Number.isFinite(v)) return v;
    throw new DatasetError(file, `${where(table, r, column)}: a value that overflows float32`);
  }
  throw new DatasetError(file, `${where(table, r, column)}: not a number${hint}`);
}

function classAt(
  field: string,
  table: RawTable,
  r: number,
  column: FeatureColumn,
  file: string,
  classes: number | undefined,
): number {
  const v = NUMBER.test(field) ? Number(field) : NaN;
  if (!Number.isInteger(v)) {
    throw new DatasetError(file, `${where(table, r, column)}: the label is not an integer class index`);
  }
  const upper = classes ?? 0x7fffffff;
  if (v < 0 || v >= upper) {
    const range =
      classes === undefined
        ? 'must be a non-negative 32-bit integer'
        : `is outside the class range [0, ${classes})`;
    throw new DatasetError(file, `${where(table, r, column)}: label ${v} ${range}`);
  }
  return v;
}
