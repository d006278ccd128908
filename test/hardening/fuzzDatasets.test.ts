import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { parseCsv } from '../../core/data/csv.ts';
import { idxToDataset, parseIdx } from '../../core/data/idx.ts';
import { npyToDataset, parseNpy } from '../../core/data/npy.ts';
import { readDataFile } from '../../core/data/readDataFile.ts';
import { DatasetError } from '../../core/errors.ts';
import { idxBytes, npyBytes, tempDir } from '../data/helpers.ts';

/**
 * Property-based tests of the dataset readers: random bytes, and valid IDX/NPY/CSV files mutated at
 * random (bytes flipped, cut, inserted; headers rewritten), either parse or throw a DatasetError that
 * names the file. Never a RangeError from a typed array, a TypeError, or a hang. Sizes are capped so
 * that each run takes well under a millisecond or two.
 */

const FILE = 'fuzz.bin';
const LABELS = 'fuzz-labels.bin';
/** No single parse may take long: a hang or a huge allocation shows up here before the test timeout. */
const SLOW_MS = 1000;

function expectOnlyDatasetError(what: string, run: () => void): void {
  const started = performance.now();
  try {
    run();
  } catch (err) {
    if (!(err instanceof DatasetError)) {
      const shown = err instanceof Error ? (err.stack ?? err.message) : String(err);
      assert.fail(`${what}: not a DatasetError:\n${shown}`);
    }
    assert.ok(err.file === FILE || err.file === LABELS, `${what}: names ${err.file}`);
    assert.ok(err.message.startsWith(`${err.file}: `) && err.message.length > err.file.length + 2);
    assert.doesNotMatch(err.message, /undefined|\[object /, err.message);
  }
  const ms = performance.now() - started;
  assert.ok(ms < SLOW_MS, `${what} took ${ms.toFixed(0)} ms`);
}

type Edit =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(40), byte: fc.nat(255) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
);

/** Applies edits to a copy (positions wrap around the current length). */
function applyEdits(original: Uint8Array, edits: readonly Edit[]): Uint8Array {
  let bytes = Uint8Array.from(original);
  for (const e of edits) {
    const at = bytes.length === 0 ? 0 : e.at % (bytes.length + 1);
    if (e.kind === 'flip') {
      if (bytes.length > 0) bytes[at % bytes.length] = e.byte;
    } else if (e.kind === 'cut') bytes = bytes.slice(0, at);
    else if (e.kind === 'insert') {
      const next = new Uint8Array(bytes.length + e.bytes.length);
      next.set(bytes.subarray(0, at));
      next.set(e.bytes, at);
      next.set(bytes.subarray(at), at + e.bytes.length);
      bytes = next;
    } else {
      bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + e.length)]);
    }
  }
  return bytes;
}

/** Some tests hand the parsers a view at an odd offset into a larger buffer, as Buffer pools do. */
function atOddOffset(bytes: Uint8Array): Uint8Array {
  const host = new Uint8Array(bytes.length + 3);
  host.set(bytes, 3);
  return host.subarray(3);
}

const classes = fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined });

test('random bytes into parseIdx and parseNpy give only DatasetErrors', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, odd) => {
      const input = odd ? atOddOffset(bytes) : bytes;
      expectOnlyDatasetError('parseIdx', () => parseIdx(input, FILE));
      expectOnlyDatasetError('parseNpy', () => parseNpy(input, FILE));
    }),
    { numRuns: 500 },
  );
});

test('IDX headers with random types, ranks and dimensions give only DatasetErrors', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x00, 0x07, 0xff),
      fc.array(fc.oneof(fc.nat(6), fc.constantFrom(0xffffffff, 0x80000000, 65536)), { maxLength: 5 }),
      fc.integer({ min: -8, max: 8 }),
      fc.boolean(),
      (type, dims, slack, odd) => {
        const header = new Uint8Array(4 + 4 * dims.length);
        const view = new DataView(header.buffer);
        header[2] = type;
        header[3] = dims.length;
        dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
        const count = dims.reduce((a, b) => a * b, 1);
        const payload = Math.max(0, Math.min(4096, count * 8 + slack));
        const bytes = new Uint8Array(header.length + payload);
        bytes.set(header);
        bytes.fill(0x7f, header.length); // big-endian 0x7f7f7f7f… is NaN-free, large finite
        const input = odd ? atOddOffset(bytes) : bytes;
        expectOnlyDatasetError('parseIdx', () => parseIdx(input, FILE));
      },
    ),
    { numRuns: 500 },
  );
});

/** A valid pair of IDX files: 5 images of 3×3 and their labels, in one of several types. */
const validIdx = fc
  .record({
    imageType: fc.constantFrom('ubyte' as const, 'float' as const, 'double' as const, 'short' as const),
    labelType: fc.constantFrom('ubyte' as const, 'byte' as const, 'int' as const),
    pixels: fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 45, maxLength: 45 }),
    labels: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 5, maxLength: 5 }),
  })
  .map(({ imageType, labelType, pixels, labels }) => ({
    images: idxBytes(imageType, [5, 3, 3], pixels),
    labels: idxBytes(labelType, [5], labels),
  }));

test('valid IDX pairs with random edits give a dataset or a DatasetError', () => {
  fc.assert(
    fc.property(
      validIdx,
      fc.array(edit, { maxLength: 4 }),
      fc.array(edit, { maxLength: 2 }),
      classes,
      (pair, imageEdits, labelEdits, k) => {
        expectOnlyDatasetError('IDX pair', () => {
          const images = parseIdx(atOddOffset(applyEdits(pair.images, imageEdits)), FILE);
          const labels = parseIdx(applyEdits(pair.labels, labelEdits), LABELS);
          const ds = idxToDataset(images, labels, { images: FILE, labels: LABELS }, k);
          assert.equal(ds.x.length, ds.count * ds.sampleShape.reduce((a, b) => a * b, 1));
        });
      },
    ),
    { numRuns: 800 },
  );
});

const DESCRS = ['<f4', '<f8', '|u1', '|i1', '<u2', '<i2', '<i4', '<u4', '<i8', '<u8', '>f4', '>i8'];
const ODD_DESCRS = ['<f2', '|O', '<c8', '<U3', '|b1', 'f4', '=f8', '<f16', '', "'", '<i3'];

/** An NPY header written by hand: random dtype, order, shape and data length. */
test('NPY files with random dtypes, shapes, orders and lengths give only DatasetErrors', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...DESCRS, ...ODD_DESCRS),
      fc.array(fc.oneof(fc.nat(5), fc.constantFrom(2 ** 40, 2 ** 53)), { maxLength: 4 }),
      fc.boolean(),
      fc.constantFrom(1 as const, 2 as const, 3 as const),
      fc.integer({ min: -9, max: 9 }),
      fc.option(fc.string({ maxLength: 80 }), { nil: undefined }),
      (descr, shape, fortran, version, slack, header) => {
        const count = shape.reduce((a, b) => a * b, 1);
        const length = Math.max(0, Math.min(2048, count * 8 + slack));
        const bytes = npyBytes(descr, shape, new Uint8Array(length), {
          version,
          fortran,
          ...(header !== undefined ? { header } : {}),
        });
        expectOnlyDatasetError('parseNpy', () => parseNpy(atOddOffset(bytes), FILE));
      },
    ),
    { numRuns: 600 },
  );
});

/** A valid NPY pair: 4 samples of shape (2, 3) and integer labels. */
const validNpy = fc
  .record({
    descr: fc.constantFrom('<f4', '<f8', '|u1', '<i2'),
    labelDescr: fc.constantFrom('<i8', '<i4', '|u1', '<u8', '<u4'),
    values: fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 24, maxLength: 24 }),
    labels: fc.array(fc.nat(3), { minLength: 4, maxLength: 4 }),
  })
  .map(({ descr, labelDescr, values, labels }) => {
    const data =
      descr === '<f4'
        ? Float32Array.from(values)
        : descr === '<f8'
          ? Float64Array.from(values)
          : descr === '|u1'
            ? Uint8Array.from(values, (v) => Math.abs(v))
            : Int16Array.from(values);
    const y =
      labelDescr === '<i8' || labelDescr === '<u8'
        ? BigInt64Array.from(labels, (v) => BigInt(v))
        : labelDescr === '|u1'
          ? Uint8Array.from(labels)
          : Int32Array.from(labels);
    return { features: npyBytes(descr, [4, 2, 3], data), labels: npyBytes(labelDescr, [4], y) };
  });

test('valid NPY pairs with random edits give a dataset or a DatasetError', () => {
  fc.assert(
    fc.property(
      validNpy,
      fc.array(edit, { maxLength: 4 }),
      fc.array(edit, { maxLength: 2 }),
      classes,
      (pair, featureEdits, labelEdits, k) => {
        expectOnlyDatasetError('NPY pair', () => {
          const features = parseNpy(applyEdits(pair.features, featureEdits), FILE);
          const labels = parseNpy(atOddOffset(applyEdits(pair.labels, labelEdits)), LABELS);
          const ds = npyToDataset(features, labels, { features: FILE, labels: LABELS }, k);
          assert.equal(ds.y.length, ds.count);
        });
      },
    ),
    { numRuns: 800 },
  );
});

const CSV_PIECES = [
  'label',
  'a',
  'b',
  ',',
  ',',
  '\n',
  '\n',
  '\r\n',
  '0',
  '1',
  '2',
  '7',
  '-1',
  '3.5',
  '1e400',
  '-0',
  'nan',
  'NaN',
  'inf',
  '-Infinity',
  ' ',
  '"',
  '\ufeff',
  'x',
  '.',
  'e',
  '+',
  '999999999999',
];

test('random CSV-ish text and CSV files with random edits give a dataset or a DatasetError', () => {
  const validCsv = 'a,label,b\n1,0,2\n3,1,4.5\n-1,2,0\n';
  fc.assert(
    fc.property(
      fc.oneof(
        fc.array(fc.constantFrom(...CSV_PIECES), { maxLength: 50 }).map((p) => p.join('')),
        fc
          .array(edit, { minLength: 1, maxLength: 5 })
          .map((edits) => Buffer.from(applyEdits(Buffer.from(validCsv), edits)).toString('utf8')),
        fc.string({ unit: 'binary', maxLength: 100 }),
      ),
      fc.oneof(fc.constantFrom<string | number>('label', 'a', '', 0, 1, 2, 5), fc.string({ maxLength: 4 })),
      classes,
      (text, labelColumn, k) => {
        expectOnlyDatasetError('parseCsv', () => {
          const ds = parseCsv(text, FILE, labelColumn, k);
          assert.ok(ds.count > 0 && ds.sampleShape.length === 1);
        });
      },
    ),
    { numRuns: 1000 },
  );
});

test('gzip files with random edits give the data or a DatasetError naming the file', async (t) => {
  const dir = await tempDir(t);
  const valid = gzipSync(
    idxBytes('ubyte', [4, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]),
  );
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 3 }), async (edits) => {
      const file = join(dir, `f${n++}.gz`);
      await writeFile(file, applyEdits(valid, edits));
      try {
        parseIdx(await readDataFile(file), file);
      } catch (err) {
        assert.ok(err instanceof DatasetError, `not a DatasetError: ${String(err)}`);
        assert.equal(err.file, file);
      }
    }),
    { numRuns: 150 },
  );
});
