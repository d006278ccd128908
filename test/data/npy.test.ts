import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadNpyDataset, parseNpy } from '../../core/data/npy.ts';
import { npyBytes, put, rejectsDataset, tempDir } from './helpers.ts';

// Written by numpy 2.4: np.save(f, np.array([[1.5, -2], [3, 4e-3]], dtype=np.float32)) and
// np.lib.format.write_array(f, np.ones((2, 2)), version=(3, 0)).
const NUMPY_F4 =
  'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAMA/AAAAwAAAQEBvEoM7';
const NUMPY_V3_F8 =
  'k05VTVBZAwB0AAAAeydkZXNjcic6ICc8ZjgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADwPwAAAAAAAPA/AAAAAAAA8D8AAAAAAADwPw==';

test('files written by numpy parse, and the test writer reproduces them byte for byte', () => {
  const f4 = Buffer.from(NUMPY_F4, 'base64');
  const a = parseNpy(f4, 'f4.npy');
  assert.equal(a.dtype, 'f4');
  assert.deepEqual(a.shape, [2, 2]);
  assert.deepEqual(Array.from(a.values as Float32Array), [1.5, -2, 3, Math.fround(4e-3)]);
  assert.deepEqual(npyBytes('<f4', [2, 2], new Float32Array([1.5, -2, 3, 4e-3])), new Uint8Array(f4));
  const v3 = parseNpy(Buffer.from(NUMPY_V3_F8, 'base64'), 'v3.npy');
  assert.equal(v3.dtype, 'f8');
  assert.deepEqual(Array.from(v3.values as Float64Array), [1, 1, 1, 1]);
});

test('uint8 images (n, h, w) get a channel axis; labels of several integer dtypes load', async (t) => {
  const dir = await tempDir(t);
  const pixels = Uint8Array.from({ length: 2 * 2 * 3 }, (_, i) => i * 20);
  const features = await put(dir, 'x.npy', npyBytes('|u1', [2, 2, 3], pixels));
  const labelCases: [string, number[], ArrayBufferView][] = [
    ['|u1', [2], new Uint8Array([1, 0])],
    ['|i1', [2], new Int8Array([1, 0])],
    ['<i4', [2], new Int32Array([1, 0])],
    ['<i8', [2], new BigInt64Array([1n, 0n])],
    ['<u8', [2, 1], new BigUint64Array([1n, 0n])],
  ];
  for (const [descr, shape, data] of labelCases) {
    const labels = await put(dir, `y${descr.slice(1)}.npy`, npyBytes(descr, shape, data));
    const ds = await loadNpyDataset(features, labels);
    assert.deepEqual(ds.sampleShape, [2, 3, 1]);
    assert.equal(ds.count, 2);
    assert.deepEqual(Array.from(ds.x), Array.from(pixels));
    assert.deepEqual(Array.from(ds.y), [1, 0], descr);
    assert.equal(ds.classes, 2);
  }
});

test('float32 and float64 features, format versions 1, 2 and 3, gzip', async (t) => {
  const dir = await tempDir(t);
  const labels = await put(dir, 'y.npy', npyBytes('<i4', [3], new Int32Array([2, 0, 1])));
  const values = [0.5, -1, 2.25, 1e-7, 3, 4];
  for (const version of [1, 2, 3] as const) {
    const f4 = await put(
      dir,
      `f4-v${version}.npy`,
      npyBytes('<f4', [3, 2], new Float32Array(values), { version }),
    );
    const f8 = await put(
      dir,
      `f8-v${version}.npy.gz`,
      npyBytes('<f8', [3, 2], new Float64Array(values), { version }),
      true,
    );
    for (const file of [f4, f8]) {
      const ds = await loadNpyDataset(file, labels);
      assert.deepEqual(ds.sampleShape, [2]);
      assert.deepEqual(Array.from(ds.x), values.map(Math.fround), file);
      assert.deepEqual(Array.from(ds.y), [2, 0, 1]);
    }
  }
});

test('wrong magic, unsupported version and malformed headers are refused', async (t) => {
  const dir = await tempDir(t);
  const labels = await put(dir, 'y.npy', npyBytes('|u1', [1], new Uint8Array([0])));
  const notNpy = await put(dir, 'x.npy', 'PK\x03\x04 this is a zip, not an npy file');
  await rejectsDataset(() => loadNpyDataset(notNpy, labels), notNpy, /wrong magic number: not an NPY file/);
  const v9 = npyBytes('|u1', [1, 1], new Uint8Array([1]));
  v9[6] = 9;
  const future = await put(dir, 'v9.npy', v9);
  await rejectsDataset(() => loadNpyDataset(future, labels), future, /unsupported NPY format version 9\.0/);
  const noShape = await put(
    dir,
    'ns.npy',
    npyBytes('|u1', [1, 1], new Uint8Array([1]), { header: "{'descr': '|u1', 'fortran_order': False, }" }),
  );
  await rejectsDataset(() => loadNpyDataset(noShape, labels), noShape, /malformed NPY header \(no 'shape'\)/);
  const record = await put(
    dir,
    'rec.npy',
    npyBytes('|u1', [1], new Uint8Array([1]), {
      header: "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }",
    }),
  );
  await rejectsDataset(() => loadNpyDataset(record, labels), record, /structured \(record\) dtypes/);
});

test('fortran_order True is refused with a fix', async (t) => {
  const dir = await tempDir(t);
  const labels = await put(dir, 'y.npy', npyBytes('|u1', [2], new Uint8Array([0, 1])));
  const fortran = await put(dir, 'x.npy', npyBytes('<f4', [2, 2], new Float32Array(4), { fortran: true }));
  await rejectsDataset(
    () => loadNpyDataset(fortran, labels),
    fortran,
    /fortran_order is True/,
    /ascontiguousarray/,
  );
});

test('truncated data and trailing bytes are refused', async (t) => {
  const dir = await tempDir(t);
  const labels = await put(dir, 'y.npy', npyBytes('|u1', [2], new Uint8Array([0, 1])));
  const full = npyBytes('<f4', [2, 3], new Float32Array(6));
  const cut = await put(dir, 'cut.npy', full.subarray(0, full.length - 2));
  await rejectsDataset(
    () => loadNpyDataset(cut, labels),
    cut,
    /truncated: shape \(2, 3\) of f4 needs 24 data bytes but the file has 22/,
  );
  const headerCut = await put(dir, 'hcut.npy', full.subarray(0, 40));
  await rejectsDataset(() => loadNpyDataset(headerCut, labels), headerCut, /truncated: NPY header/);
  const longer = new Uint8Array(full.length + 4);
  longer.set(full);
  const trailing = await put(dir, 'long.npy', longer);
  await rejectsDataset(() => loadNpyDataset(trailing, labels), trailing, /4 unexpected trailing bytes/);
});

test('dtypes: big-endian, complex, float labels and int features outside the list are refused', async (t) => {
  const dir = await tempDir(t);
  const labels = await put(dir, 'y.npy', npyBytes('|u1', [2], new Uint8Array([0, 1])));
  const x = await put(dir, 'x.npy', npyBytes('<f4', [2, 1], new Float32Array(2)));
  const big = await put(dir, 'big.npy', npyBytes('>f4', [2, 1], new Float32Array(2)));
  await rejectsDataset(() => loadNpyDataset(big, labels), big, /big-endian dtype >f4/, /astype\('<f4'\)/);
  const complex = await put(dir, 'c.npy', npyBytes('<c8', [2, 1], new Float32Array(4)));
  await rejectsDataset(() => loadNpyDataset(complex, labels), complex, /unsupported dtype '<c8'/);
  const floatLabels = await put(dir, 'fy.npy', npyBytes('<f4', [2], new Float32Array([0, 1])));
  await rejectsDataset(
    () => loadNpyDataset(x, floatLabels),
    floatLabels,
    /labels must have an integer dtype, got f4/,
  );
  const int64x = await put(dir, 'ix.npy', npyBytes('<i8', [2, 1], new BigInt64Array(2)));
  await rejectsDataset(() => loadNpyDataset(int64x, labels), int64x, /unsupported feature dtype i8/);
});

test('labels: count mismatch, bad shape, values beyond int32 and NaN features are refused', async (t) => {
  const dir = await tempDir(t);
  const x = await put(dir, 'x.npy', npyBytes('<f4', [2, 2], new Float32Array([1, 2, 3, NaN])));
  const ok = await put(dir, 'x-ok.npy', npyBytes('<f4', [2, 2], new Float32Array(4)));
  const three = await put(dir, 'y3.npy', npyBytes('|u1', [3], new Uint8Array([0, 1, 1])));
  await rejectsDataset(
    () => loadNpyDataset(ok, three),
    three,
    /count mismatch: 3 labels but .*x-ok\.npy holds 2 samples/,
  );
  const wide = await put(dir, 'y22.npy', npyBytes('|u1', [2, 2], new Uint8Array(4)));
  await rejectsDataset(() => loadNpyDataset(ok, wide), wide, /shape \(n,\) or \(n, 1\), got \(2, 2\)/);
  const huge = await put(dir, 'yhuge.npy', npyBytes('<i8', [2], new BigInt64Array([0n, 1n << 40n])));
  await rejectsDataset(
    () => loadNpyDataset(ok, huge),
    huge,
    /sample 1: label 1099511627776 does not fit a 32-bit integer/,
  );
  const labels = await put(dir, 'y.npy', npyBytes('|u1', [2], new Uint8Array([0, 1])));
  await rejectsDataset(() => loadNpyDataset(x, labels), x, /sample 1, feature 1: value NaN/);
  const neg = await put(dir, 'yneg.npy', npyBytes('<i4', [2], new Int32Array([0, -3])));
  await rejectsDataset(() => loadNpyDataset(ok, neg), neg, /sample 1: label -3 is outside the class range/);
});
