import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadIdxDataset, parseIdx } from '../../core/data/idx.ts';
import { idxBytes, put, rejectsDataset, tempDir } from './helpers.ts';

// 3 images of 2×3 pixels, labels 0, 2, 1.
const pixels = [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 250, 251, 252, 253, 254, 255];
const labels = [0, 2, 1];

test('raw IDX images and labels load with a trailing channel and float pixels', async (t) => {
  const dir = await tempDir(t);
  const images = await put(dir, 'images-idx3-ubyte', idxBytes('ubyte', [3, 2, 3], pixels));
  const lab = await put(dir, 'labels-idx1-ubyte', idxBytes('ubyte', [3], labels));
  const ds = await loadIdxDataset(images, lab);
  assert.equal(ds.count, 3);
  assert.deepEqual(ds.sampleShape, [2, 3, 1]);
  assert.equal(ds.classes, 3);
  assert.ok(ds.x instanceof Float32Array);
  assert.deepEqual(Array.from(ds.x), pixels);
  assert.deepEqual(Array.from(ds.y), labels);
});

test('gzipped IDX files are detected by their magic, whatever their name', async (t) => {
  const dir = await tempDir(t);
  const images = await put(dir, 'images.idx', idxBytes('ubyte', [3, 2, 3], pixels), true);
  const lab = await put(dir, 'labels-idx1-ubyte.gz', idxBytes('ubyte', [3], labels), true);
  const ds = await loadIdxDataset(images, lab, 5);
  assert.deepEqual(Array.from(ds.x), pixels);
  assert.deepEqual(Array.from(ds.y), labels);
  assert.equal(ds.classes, 5, 'an explicit class count wins over max label + 1');
});

test('every IDX value type decodes big-endian', () => {
  const cases = [
    ['byte', [-128, -1, 0, 127]],
    ['short', [-32768, -2, 258, 32767]],
    ['int', [-2147483648, -3, 65536 + 7, 2147483647]],
    ['float', [-1.5, 0, 3.25, 1e30]],
    ['double', [-1e-300, 0.1, Math.PI, 1e300]],
  ] as const;
  for (const [type, values] of cases) {
    const a = parseIdx(idxBytes(type, [2, 2], values), `${type}.idx`);
    assert.equal(a.type, type);
    assert.deepEqual(a.dims, [2, 2]);
    assert.deepEqual(Array.from(a.values), type === 'float' ? values.map(Math.fround) : values, type);
  }
});

test('sample shapes: 1-D features stay flat, 3-D samples keep their channels', async (t) => {
  const dir = await tempDir(t);
  const lab = await put(dir, 'l', idxBytes('ubyte', [2], [0, 1]));
  const flat = await put(dir, 'flat', idxBytes('float', [2, 4], [1, 2, 3, 4, 5, 6, 7, 8]));
  assert.deepEqual((await loadIdxDataset(flat, lab)).sampleShape, [4]);
  const rgb = await put(dir, 'rgb', idxBytes('ubyte', [2, 1, 2, 3], new Array(12).fill(7)));
  assert.deepEqual((await loadIdxDataset(rgb, lab)).sampleShape, [1, 2, 3]);
  const scalar = await put(dir, 'scalar', idxBytes('short', [2], [-5, 5]));
  const ds = await loadIdxDataset(scalar, lab);
  assert.deepEqual(ds.sampleShape, [1]);
  assert.deepEqual(Array.from(ds.x), [-5, 5]);
});

test('wrong magic number is refused, naming the file', async (t) => {
  const dir = await tempDir(t);
  const lab = await put(dir, 'labels', idxBytes('ubyte', [3], labels));
  const text = await put(dir, 'images.csv', 'a,b,label\n1,2,0\n');
  await rejectsDataset(
    () => loadIdxDataset(text, lab),
    text,
    /wrong magic number: an IDX file starts with 00 00 <type> <ndims>, this one does not/,
    /it starts with text: a CSV file\? use format csv/,
  );
  const tiny = await put(dir, 'tiny', new Uint8Array([0, 0]));
  await rejectsDataset(() => loadIdxDataset(tiny, lab), tiny, /only 2 bytes/);
});

test('unsupported type code and zero dimensions are refused', async (t) => {
  const dir = await tempDir(t);
  const lab = await put(dir, 'labels', idxBytes('ubyte', [3], labels));
  const bytes = idxBytes('ubyte', [3, 2, 3], pixels);
  bytes[2] = 0x0a;
  const bad = await put(dir, 'bad-type', bytes);
  await rejectsDataset(() => loadIdxDataset(bad, lab), bad, /unsupported IDX data type 0x0a/);
  const zero = await put(dir, 'zero-dims', new Uint8Array([0, 0, 8, 0]));
  await rejectsDataset(() => loadIdxDataset(zero, lab), zero, /0 dimensions/);
});

test('truncated files and trailing garbage are refused', async (t) => {
  const dir = await tempDir(t);
  const lab = await put(dir, 'labels', idxBytes('ubyte', [3], labels));
  const full = idxBytes('ubyte', [3, 2, 3], pixels);
  const short = await put(dir, 'short', full.subarray(0, full.length - 1));
  await rejectsDataset(
    () => loadIdxDataset(short, lab),
    short,
    /truncated/,
    /3×2×3/,
    /need 34 bytes but the file has 33/,
  );
  const header = await put(dir, 'header-cut', full.subarray(0, 9));
  await rejectsDataset(() => loadIdxDataset(header, lab), header, /truncated/, /3 dimensions/);
  const longer = new Uint8Array(full.length + 3);
  longer.set(full);
  const trailing = await put(dir, 'trailing', longer);
  await rejectsDataset(() => loadIdxDataset(trailing, lab), trailing, /3 unexpected trailing bytes/);
  const gz = gzipSync(full);
  const cutGz = await put(dir, 'cut.gz', gz.subarray(0, gz.length - 10));
  await rejectsDataset(() => loadIdxDataset(cutGz, lab), cutGz, /corrupt or truncated gzip/);
});

test('sample/label count mismatch is refused, naming both files', async (t) => {
  const dir = await tempDir(t);
  const images = await put(dir, 'images', idxBytes('ubyte', [3, 2, 3], pixels));
  const lab = await put(dir, 'labels', idxBytes('ubyte', [2], [0, 1]));
  await rejectsDataset(
    () => loadIdxDataset(images, lab),
    lab,
    /count mismatch: 2 labels but .*images holds 3 samples/,
  );
});

test('labels: float types, several per sample and out-of-range values are refused', async (t) => {
  const dir = await tempDir(t);
  const images = await put(dir, 'images', idxBytes('ubyte', [3, 2, 3], pixels));
  const floatLabels = await put(dir, 'float-labels', idxBytes('float', [3], [0, 1, 2]));
  await rejectsDataset(() => loadIdxDataset(images, floatLabels), floatLabels, /integer IDX type, got float/);
  const wide = await put(dir, 'wide-labels', idxBytes('ubyte', [3, 2], [0, 1, 2, 0, 1, 2]));
  await rejectsDataset(() => loadIdxDataset(images, wide), wide, /one label per sample/);
  const negative = await put(dir, 'neg-labels', idxBytes('byte', [3], [0, -1, 1]));
  await rejectsDataset(
    () => loadIdxDataset(images, negative),
    negative,
    /sample 1: label -1 is outside the class range/,
  );
  const lab = await put(dir, 'labels', idxBytes('ubyte', [3], labels));
  await rejectsDataset(
    () => loadIdxDataset(images, lab, 2),
    lab,
    /sample 1: label 2 is outside the class range \[0, 2\)/,
  );
});

test('NaN or infinite float pixels are refused with the sample and feature', async (t) => {
  const dir = await tempDir(t);
  const lab = await put(dir, 'labels', idxBytes('ubyte', [2], [0, 1]));
  const nan = await put(dir, 'nan', idxBytes('float', [2, 3], [0, 1, 2, 3, 4, NaN]));
  await rejectsDataset(() => loadIdxDataset(nan, lab), nan, /sample 1, feature 2: value NaN/);
  const inf = await put(dir, 'inf', idxBytes('double', [2, 3], [0, -Infinity, 2, 3, 4, 5]));
  await rejectsDataset(() => loadIdxDataset(inf, lab), inf, /sample 0, feature 1: value -Infinity/);
});

test('a missing file is a DatasetError naming the path', async (t) => {
  const dir = await tempDir(t);
  const lab = await put(dir, 'labels', idxBytes('ubyte', [3], labels));
  const missing = join(dir, 'nope-idx3-ubyte.gz');
  await rejectsDataset(() => loadIdxDataset(missing, lab), missing, /file not found/);
  await rejectsDataset(() => loadIdxDataset(dir, lab), dir, /is a directory/);
});
