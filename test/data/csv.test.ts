import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCsvDataset, parseCsv } from '../../core/data/csv.ts';
import { put, rejectsDataset, tempDir } from './helpers.ts';

const F = 'data.csv';

test('header, label column by name anywhere, numeric features in column order', () => {
  const ds = parseCsv('a,label,b\n1.5,2,-3\n0,0,1e-3\n.5,1,+7\n', F);
  assert.equal(ds.count, 3);
  assert.deepEqual(ds.sampleShape, [2]);
  assert.equal(ds.classes, 3);
  assert.deepEqual(Array.from(ds.x), [1.5, -3, 0, Math.fround(1e-3), 0.5, 7]);
  assert.deepEqual(Array.from(ds.y), [2, 0, 1]);
});

test('label column by 0-based index; CRLF, BOM, blank lines, no trailing newline, integral "3.0" labels', () => {
  const ds = parseCsv('\uFEFFx, y ,cls\r\n1,2,3.0\r\n\r\n4,5,0', F, 2);
  assert.deepEqual(Array.from(ds.x), [1, 2, 4, 5]);
  assert.deepEqual(Array.from(ds.y), [3, 0]);
  assert.equal(ds.classes, 4);
  const byName = parseCsv('\uFEFFx, y ,cls\r\n1,2,3.0\r\n', F, 'cls');
  assert.deepEqual(Array.from(byName.y), [3]);
});

test('ragged rows are refused with the line number', async () => {
  await rejectsDataset(
    () => parseCsv('a,b,label\n1,2,0\n1,2\n', F),
    F,
    /line 3: ragged row, expected 3 fields/,
    /got 2/,
  );
  await rejectsDataset(() => parseCsv('a,b,label\n1,2,0,9\n', F), F, /line 2: ragged row.*got 4/);
});

test('non-numeric, empty and non-finite feature values name line and column', async () => {
  await rejectsDataset(
    () => parseCsv('a,b,label\n1,2,0\n1,abc,1\n', F),
    F,
    /line 3, column index 1: non-numeric value \(text of 3 characters\)$/,
  );
  await rejectsDataset(() => parseCsv('a,b,label\n1,,0\n', F), F, /line 2, column index 1: empty value/);
  await rejectsDataset(
    () => parseCsv('a,b,label\nNaN,1,0\n', F),
    F,
    /line 2, column index 0: value "NaN" \(NaN or infinite/,
  );
  await rejectsDataset(() => parseCsv('a,b,label\n1,-inf,0\n', F), F, /line 2, column index 1: value "-inf"/);
  await rejectsDataset(() => parseCsv('a,b,label\n1,1e39,0\n', F), F, /value "1e39" overflows float32/);
  await rejectsDataset(
    () => parseCsv('a,b,label\n0x10,1,0\n', F),
    F,
    /non-numeric value \(text of 4 characters\)/,
  );
});

test("messages quote no text of the file but short numbers: the header may be any file's first line", async () => {
  const secret = 'root:$6$salt$hashedpassword:20228:0:99999:7:::';
  const quoted = (err: unknown) => String((err as Error).message).includes('hashedpassword');
  for (const [text, label] of [
    [`${secret}\n`, 'label'],
    [`${secret}\ndaemon:*:1:2:3\n`, 'label'],
    [`${secret}\ndaemon:*:1:2:3\n`, 0],
    [`a,label\n${secret},0\n`, 'label'],
    [`a,label\n1,${secret}\n`, 'label'],
    [`a,label\n1,0\n${secret}\n`, 'label'],
    [`"${secret}",label\n1,0\n`, 'label'],
  ] as const) {
    assert.throws(
      () => parseCsv(text, F, label),
      (err: unknown) => !quoted(err),
      `${JSON.stringify(text)} (label ${label})`,
    );
  }
  await rejectsDataset(
    () => parseCsv(`${secret}\n`, F),
    F,
    /missing label column: no column named "label" in the header's 1 column \(is the first line a header\?/,
  );
});

test('empty file, header only and no feature columns are refused', async () => {
  await rejectsDataset(() => parseCsv('', F), F, /empty file/);
  await rejectsDataset(() => parseCsv('\n  \r\n', F), F, /empty file/);
  await rejectsDataset(() => parseCsv('a,label\n', F), F, /no data rows/);
  await rejectsDataset(() => parseCsv('label\n1\n', F), F, /no feature columns/);
});

test('missing or ambiguous label column is refused', async () => {
  await rejectsDataset(
    () => parseCsv('a,b,target\n1,2,0\n', F),
    F,
    /missing label column: no column named "label" in the header's 3 columns/,
  );
  await rejectsDataset(
    () => parseCsv('a,b,target\n1,2,0\n', F, 3),
    F,
    /missing label column: index 3 is out of range/,
  );
  await rejectsDataset(() => parseCsv('label,b,label\n1,2,0\n', F), F, /ambiguous label column/);
});

test('non-integer, negative, empty and out-of-range labels are refused with the line', async () => {
  await rejectsDataset(
    () => parseCsv('a,label\n1,0\n2,1.5\n', F),
    F,
    /line 3, label column index 1: label "1.5" is not an integer/,
  );
  await rejectsDataset(
    () => parseCsv('a,label\n1,cat\n', F),
    F,
    /label \(text of 3 characters\) is not an integer/,
  );
  await rejectsDataset(() => parseCsv('a,label\n1,-1\n', F), F, /line 2.*label -1 must be a non-negative/);
  await rejectsDataset(() => parseCsv('a,label\n1,\n', F), F, /line 2.*empty label/);
  await rejectsDataset(
    () => parseCsv('a,label\n1,0\n1,4\n', F, 'label', 4),
    F,
    /line 3.*label 4 is outside the class range \[0, 4\)/,
  );
});

test('quoted fields are refused with a clear message', async () => {
  await rejectsDataset(() => parseCsv('"a",label\n1,0\n', F), F, /line 1: quoted fields are not supported/);
  await rejectsDataset(() => parseCsv('a,label\n"1",0\n', F), F, /line 2: quoted fields are not supported/);
});

test('files load from disk, raw or gzip; bad UTF-8 and missing files name the file', async (t) => {
  const dir = await tempDir(t);
  const text = 'f1,f2,label\n1,2,1\n3,4,0\n';
  const raw = await put(dir, 'raw.csv', text);
  const gz = await put(dir, 'packed.csv.gz', text, true);
  for (const file of [raw, gz]) {
    const ds = await loadCsvDataset(file);
    assert.deepEqual(Array.from(ds.x), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(ds.y), [1, 0]);
  }
  const binary = await put(dir, 'binary.csv', new Uint8Array([0xff, 0xfe, 0x00, 0x41]));
  await rejectsDataset(() => loadCsvDataset(binary), binary, /not valid UTF-8/);
  const missing = `${dir}/missing.csv`;
  await rejectsDataset(() => loadCsvDataset(missing), missing, /file not found/);
});

test('integer fast path and general path agree with Number() rounded to float32', () => {
  const values = ['0', '007', '255', '16777217', '123456789', '1234567890', '-5', '2.5e3', ' 42 ', '1.'];
  const ds = parseCsv(`${values.map((_, i) => `f${i}`).join(',')},label\n${values.join(',')},0\n`, F);
  assert.deepEqual(
    Array.from(ds.x),
    values.map((v) => Math.fround(Number(v))),
  );
});
