import { DatasetError } from '../../errors.ts';
import type { TableLayout } from './tableLayout.ts';

/** A delimited text file's rows as fields, before any column is interpreted. */
export interface RawTable {
  /** The header's names (file text: matched against the job's names, never quoted in messages), or `columns`. */
  names: readonly string[] | undefined;
  width: number;
  count: number;
  /** Row-major fields, `count × width`, unquoted and trimmed. */
  fields: readonly string[];
  /** The 1-based line of each row, for messages. */
  lines: Int32Array;
}

/** Fields a table may hold: tables are small (the plain numeric reader takes the big image CSVs). */
export const MAX_TABLE_FIELDS = 50_000_000;

const SEPARATORS = { ',': ',', ';': ';', tab: '\t' } as const;

/**
 * Splits a (gunzipped) delimited file into fields: `skipLines` lines skipped first, then a header line
 * (unless `header: false`), then one row per non-blank line, every row as wide as the header (or the
 * `columns` list, or the first row). Fields may be quoted as in RFC 4180 ("a, b" and "" for a quote)
 * within one line; `space` splits on runs of spaces and tabs. Errors name lines and columns by number
 * and quote nothing of the file.
 */
export function readTable(bytes: Uint8Array, file: string, layout: TableLayout): RawTable {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new DatasetError(file, 'not valid UTF-8 text (is this really a CSV file?)', { cause: err });
  }
  const lines = text.split('\n');
  if (lines.length > 0 && lines[0]!.charCodeAt(0) === 0xfeff) lines[0] = lines[0]!.slice(1);
  if (lines.length <= layout.skipLines) {
    throw new DatasetError(file, `has ${lines.length} lines, but skipLines is ${layout.skipLines}`);
  }
  const split = splitter(layout.delimiter, file);
  let i = layout.skipLines;
  while (i < lines.length && isBlank(lines[i]!)) i++;
  let names: readonly string[] | undefined = layout.columns;
  if (layout.header) {
    if (i === lines.length)
      throw new DatasetError(file, 'no header line: the file holds nothing after the skipped lines');
    names = split(stripCr(lines[i]!), i + 1);
    i++;
  }
  const fields: string[] = [];
  const rowLines: number[] = [];
  let width = names?.length ?? -1;
  for (; i < lines.length; i++) {
    const line = stripCr(lines[i]!);
    if (isBlank(line)) continue;
    const row = split(line, i + 1);
    if (width < 0) width = row.length;
    if (row.length !== width) {
      const against = layout.header ? 'the header' : layout.columns ? 'the columns listed' : 'the first row';
      throw new DatasetError(
        file,
        `line ${i + 1}: ragged row, expected ${width} fields as in ${against}, got ${row.length}`,
      );
    }
    if (fields.length + width > MAX_TABLE_FIELDS) {
      throw new DatasetError(file, `holds more than ${MAX_TABLE_FIELDS} fields, the limit of a table`);
    }
    for (const f of row) fields.push(f);
    rowLines.push(i + 1);
  }
  if (rowLines.length === 0) throw new DatasetError(file, 'no data rows');
  return { names, width, count: rowLines.length, fields, lines: Int32Array.from(rowLines) };
}

function isBlank(line: string): boolean {
  return line.trim().length === 0;
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

type Split = (line: string, lineNo: number) => string[];

function splitter(delimiter: TableLayout['delimiter'], file: string): Split {
  if (delimiter === 'space') {
    return (line, lineNo) => {
      if (line.includes('"')) {
        throw new DatasetError(file, `line ${lineNo}: quoted fields need a ",", ";" or tab delimiter`);
      }
      return line.trim().split(/[ \t]+/);
    };
  }
  const sep = SEPARATORS[delimiter];
  return (line, lineNo) =>
    line.includes('"') ? splitQuoted(line, sep, lineNo, file) : line.split(sep).map((f) => f.trim());
}

/** RFC 4180 fields within one line: a quoted field keeps delimiters, and "" stands for one quote. */
function splitQuoted(line: string, sep: string, lineNo: number, file: string): string[] {
  const out: string[] = [];
  let pos = 0;
  for (;;) {
    while (pos < line.length && (line[pos] === ' ' || line[pos] === '\t') && line[pos] !== sep) pos++;
    if (line[pos] === '"') {
      let value = '';
      pos++;
      for (;;) {
        const close = line.indexOf('"', pos);
        if (close < 0) {
          throw new DatasetError(
            file,
            `line ${lineNo}: a quoted field is not closed (fields may not span lines)`,
          );
        }
        value += line.slice(pos, close);
        if (line[close + 1] === '"') {
          value += '"';
          pos = close + 2;
          continue;
        }
        pos = close + 1;
        break;
      }
      while (pos < line.length && line[pos] !== sep) {
        if (line[pos] !== ' ' && line[pos] !== '\t') {
          throw new DatasetError(file, `line ${lineNo}: column ${out.length}: text after a closing quote`);
        }
        pos++;
      }
      out.push(value);
    } else {
      const end = line.indexOf(sep, pos);
      const field = (end < 0 ? line.slice(pos) : line.slice(pos, end)).trim();
      if (field.includes('"')) {
        throw new DatasetError(
          file,
          `line ${lineNo}: column ${out.length}: a quote inside an unquoted field`,
        );
      }
      out.push(field);
      pos = end < 0 ? line.length : end;
    }
    if (pos >= line.length) return out;
    pos++; // the separator
    if (pos === line.length) {
      out.push('');
      return out;
    }
  }
}
