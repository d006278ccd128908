import { DatasetError } from '../errors.ts';
import type { Dataset } from './dataset.ts';
import { describeText } from './describeText.ts';
import { readDataFile } from './readDataFile.ts';
import { classesOf, validateLabels } from './validate.ts';

/**
 * CSV with a header row: one column holds integer class labels, every other column is a numeric feature.
 * Plain numbers only (no quoting): a quote character is refused with a message saying so. Blank lines are
 * skipped (as pandas does); CRLF line ends, a UTF-8 BOM and a trailing newline are fine. Errors name
 * columns by index and quote no text but numbers (see describeText.ts): the header may be any file's
 * first line.
 */

/** Header name or 0-based index of the label column. */
export type LabelColumn = string | number;

const NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const NON_FINITE = /^\s*[+-]?(?:nan|inf|infinity)\s*$/i;

function isBlank(line: string): boolean {
  return line.trim().length === 0;
}

/** Parses CSV text into a Dataset with sampleShape [features]; `file` names it in errors. */
export function parseCsv(
  text: string,
  file: string,
  labelColumn: LabelColumn = 'label',
  classes?: number,
): Dataset {
  const lines = text.split('\n');
  let first = 0;
  while (first < lines.length && isBlank(lines[first] as string)) first++;
  if (first === lines.length) throw new DatasetError(file, 'empty file: expected a header row');

  const headerLine = stripLine(lines[first] as string, first === 0);
  if (headerLine.includes('"')) {
    throw new DatasetError(
      file,
      `line ${first + 1}: quoted fields are not supported (plain numbers and names only)`,
    );
  }
  const header = headerLine.split(',').map((h) => h.trim());
  const width = header.length;
  const labelIndex = resolveLabelColumn(header, labelColumn, file);
  const featureCount = width - 1;
  if (featureCount === 0) {
    throw new DatasetError(file, 'no feature columns: the header holds only the label column');
  }
  const columnName = (j: number): string => `column index ${j}`;

  let count = 0;
  for (let i = first + 1; i < lines.length; i++) if (!isBlank(lines[i] as string)) count++;
  if (count === 0) throw new DatasetError(file, 'no data rows after the header');

  const x = new Float32Array(count * featureCount);
  const y = new Int32Array(count);
  let row = 0;
  for (let i = first + 1; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (isBlank(raw)) continue;
    const lineNo = i + 1;
    const line = stripLine(raw, false);
    if (line.includes('"')) {
      throw new DatasetError(file, `line ${lineNo}: quoted fields are not supported (plain numbers only)`);
    }
    const fields = line.split(',');
    if (fields.length !== width) {
      throw new DatasetError(
        file,
        `line ${lineNo}: ragged row, expected ${width} fields as in the header, got ${fields.length}`,
      );
    }
    let k = row * featureCount;
    for (let j = 0; j < width; j++) {
      const field = fields[j] as string;
      if (j === labelIndex) {
        y[row] = parseLabel(field, file, `line ${lineNo}, label ${columnName(j)}`, classes);
        continue;
      }
      const plain = parseDigits(field);
      x[k++] = plain >= 0 ? plain : parseFeature(field, file, lineNo, columnName, j);
    }
    row++;
  }
  const k = classes ?? classesOf(y);
  validateLabels(y, count, k, file);
  return { x, y, count, sampleShape: [featureCount], classes: k };
}

function stripLine(line: string, firstLine: boolean): string {
  let s = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (firstLine && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  return s;
}

function resolveLabelColumn(header: readonly string[], labelColumn: LabelColumn, file: string): number {
  if (typeof labelColumn === 'number') {
    if (!Number.isInteger(labelColumn) || labelColumn < 0 || labelColumn >= header.length) {
      throw new DatasetError(
        file,
        `missing label column: index ${labelColumn} is out of range, the header has ${header.length} columns`,
      );
    }
    return labelColumn;
  }
  const matches = header.flatMap((h, j) => (h === labelColumn ? [j] : []));
  if (matches.length === 0) {
    const columns = `${header.length} column${header.length === 1 ? '' : 's'}`;
    throw new DatasetError(
      file,
      `missing label column: no column named "${labelColumn}" in the header's ${columns} ` +
        '(is the first line a header? set labelColumn to a name or a 0-based index)',
    );
  }
  if (matches.length > 1) {
    throw new DatasetError(
      file,
      `ambiguous label column: "${labelColumn}" appears at indices ${matches.join(', ')}`,
    );
  }
  return matches[0] as number;
}

/**
 * Fast path for the common case of image CSVs: a plain unsigned integer of at most 9 digits, parsed
 * without a regex or a message string. Returns -1 for anything else (then `parseFeature` decides).
 */
function parseDigits(field: string): number {
  const n = field.length;
  if (n === 0 || n > 9) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = field.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return Math.fround(v);
}

/** Any other feature value; the line/column text is only built for an error. */
function parseFeature(
  field: string,
  file: string,
  lineNo: number,
  columnName: (j: number) => string,
  j: number,
): number {
  if (NUMBER.test(field)) {
    const v = Math.fround(Number(field));
    if (Number.isFinite(v)) return v;
  }
  const where = `line ${lineNo}, ${columnName(j)}`;
  if (NUMBER.test(field)) {
    throw new DatasetError(
      file,
      `${where}: value ${describeText(field)} overflows float32 (infinite features are not allowed)`,
    );
  }
  if (isBlank(field)) throw new DatasetError(file, `${where}: empty value`);
  if (NON_FINITE.test(field)) {
    throw new DatasetError(
      file,
      `${where}: value ${describeText(field)} (NaN or infinite features are not allowed)`,
    );
  }
  throw new DatasetError(file, `${where}: non-numeric value (${describeText(field)})`);
}

function parseLabel(field: string, file: string, where: string, classes: number | undefined): number {
  if (isBlank(field)) throw new DatasetError(file, `${where}: empty label`);
  const v = NUMBER.test(field) ? Number(field) : NaN;
  if (!Number.isInteger(v)) {
    const shown = NUMBER.test(field) ? describeText(field) : `(${describeText(field)})`;
    throw new DatasetError(file, `${where}: label ${shown} is not an integer`);
  }
  const upper = classes ?? 0x7fffffff;
  if (v < 0 || v >= upper) {
    const range =
      classes === undefined
        ? 'must be a non-negative 32-bit integer'
        : `is outside the class range [0, ${classes})`;
    throw new DatasetError(file, `${where}: label ${v} ${range}`);
  }
  return v;
}

/** A CSV file's (gunzipped) bytes as a Dataset; `file` names it in errors. */
export function csvToDataset(
  bytes: Uint8Array,
  file: string,
  labelColumn: LabelColumn = 'label',
  classes?: number,
): Dataset {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new DatasetError(file, 'not valid UTF-8 text (is this really a CSV file?)', { cause: err });
  }
  return parseCsv(text, file, labelColumn, classes);
}

/** Reads a CSV file (raw or gzip). */
export async function loadCsvDataset(
  path: string,
  labelColumn: LabelColumn = 'label',
  classes?: number,
): Promise<Dataset> {
  return csvToDataset(await readDataFile(path), path, labelColumn, classes);
}
