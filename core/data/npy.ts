import { endianness } from 'node:os';
import { DatasetError } from '../errors.ts';
import type { Dataset } from './dataset.ts';
import { describeText } from './describeText.ts';
import { sampleShapeOf } from './idx.ts';
import { pathDataFiles, readPair } from './dataFiles.ts';
import { classesOf, validateFeatureLayout, validateFeatures, validateLabels } from './validate.ts';

/**
 * NumPy `.npy` files, format versions 1.0, 2.0 and 3.0: magic `\x93NUMPY`, version, header length,
 * a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (n, ...), }`, then the data.
 * Little-endian (or byte-sized) numeric dtypes, C order only.
 */

type Kind = 'u' | 'i' | 'f';

export type NpyValues =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

export interface NpyArray {
  /** Normalised dtype, e.g. `u1`, `f4`, `i8`. */
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly values: NpyValues;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const LITTLE_ENDIAN_HOST = endianness() === 'LE';

const FEATURE_DTYPES = new Set(['u1', 'i1', 'u2', 'i2', 'f4', 'f8']);
const LABEL_DTYPES = new Set(['u1', 'i1', 'u2', 'i2', 'u4', 'i4', 'u8', 'i8']);

/** Parses a whole (already gunzipped) `.npy` file; `file` names it in errors. Byte dtypes share memory with `bytes`. */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DatasetError(
      file,
      'wrong magic number: not an NPY file (expected it to start with \\x93NUMPY)',
    );
  }
  const major = bytes[6] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new DatasetError(file, 'truncated: NPY header is incomplete');
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  } else {
    throw new DatasetError(
      file,
      `unsupported NPY format version ${major}.${bytes[7]} (1.0, 2.0 and 3.0 are)`,
    );
  }
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart) {
    throw new DatasetError(
      file,
      `truncated: NPY header claims ${headerLength} bytes, the file ends before that`,
    );
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, dataStart),
  );
  const { order, kind, size, shape, fortran } = parseHeader(header, file);
  if (fortran && shape.length > 1) {
    throw new DatasetError(
      file,
      'fortran_order is True: only C-order arrays are supported (save with np.ascontiguousarray(a))',
    );
  }
  if (order === '>' && size > 1) {
    throw new DatasetError(
      file,
      `big-endian dtype >${kind}${size} is not supported (convert with a.astype('<${kind}${size}'))`,
    );
  }
  const n = shape.reduce((a, b) => a * b, 1);
  const expected = dataStart + n * size;
  const shown = `(${shape.join(', ')})`;
  if (bytes.length < expected) {
    throw new DatasetError(
      file,
      `truncated: shape ${shown} of ${kind}${size} needs ${n * size} data bytes but the file has ${bytes.length - dataStart}`,
    );
  }
  if (bytes.length > expected) {
    throw new DatasetError(
      file,
      `${bytes.length - expected} unexpected trailing bytes after the ${shown} array`,
    );
  }
  const dtype = `${kind}${size}`;
  return { dtype, shape, values: decode(bytes.subarray(dataStart, expected), dtype, n) };
}

interface Header {
  order: string;
  kind: Kind;
  size: number;
  shape: number[];
  fortran: boolean;
}

/** A dtype as NumPy writes one (`<f4`, `|O`, `<U10`): short and plain, so safe to quote. */
const DTYPE_LIKE = /^[<>|=]?[A-Za-z]\d{0,4}$/;

/** The header is the file's text: messages say what is missing, never quote it (see describeText.ts). */
function parseHeader(header: string, file: string): Header {
  const bad = (what: string): DatasetError => new DatasetError(file, `malformed NPY header (${what})`);
  const descrMatch = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(header);
  if (!descrMatch) {
    if (/['"]descr['"]\s*:\s*\[/.test(header))
      throw new DatasetError(file, 'structured (record) dtypes are not supported');
    throw bad("no 'descr'");
  }
  const descr = descrMatch[2] as string;
  const shownDtype = DTYPE_LIKE.test(descr) ? `'${descr}'` : `(${describeText(descr)})`;
  const dt = /^([<>|=]?)([uif])(\d+)$/.exec(descr);
  if (!dt) {
    throw new DatasetError(
      file,
      `unsupported dtype ${shownDtype} (numeric u1/i1/u2/i2/u4/i4/u8/i8/f4/f8 only)`,
    );
  }
  const size = Number(dt[3]);
  const kind = dt[2] as Kind;
  const valid =
    kind === 'f' ? size === 4 || size === 8 : size === 1 || size === 2 || size === 4 || size === 8;
  if (!valid) throw new DatasetError(file, `unsupported dtype ${shownDtype}`);
  // '=' is native order; every platform Node runs on in practice is little-endian.
  const order = dt[1] === '=' ? (LITTLE_ENDIAN_HOST ? '<' : '>') : (dt[1] ?? '');

  const fortranMatch = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header);
  if (!fortranMatch) throw bad("no 'fortran_order'");
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header);
  if (!shapeMatch) throw bad("no 'shape'");
  const parts = (shapeMatch[1] as string)
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const shape = parts.map((p) => {
    const v = /^\d+L?$/.test(p) ? parseInt(p, 10) : NaN;
    if (!Number.isSafeInteger(v)) throw bad(`shape entry ${describeText(p)} is not a count`);
    return v;
  });
  return { order, kind, size, shape, fortran: fortranMatch[1] === 'True' };
}

/** Copies little-endian payload bytes into a native typed array (aligned, owning its buffer). */
function decode(data: Uint8Array, dtype: string, n: number): NpyValues {
  // Byte types stay views (a uint8 feature array is converted to float32 next anyway).
  if (dtype === 'u1') return new Uint8Array(data.buffer, data.byteOffset, n);
  if (dtype === 'i1') return new Int8Array(data.buffer, data.byteOffset, n);
  if (LITTLE_ENDIAN_HOST) {
    // Wider types need alignment: new Uint8Array(typedArray) copies into a fresh ArrayBuffer
    // (Buffer#slice would return a view).
    const buf = new Uint8Array(data).buffer;
    switch (dtype) {
      case 'u2':
        return new Uint16Array(buf);
      case 'i2':
        return new Int16Array(buf);
      case 'u4':
        return new Uint32Array(buf);
      case 'i4':
        return new Int32Array(buf);
      case 'u8':
        return new BigUint64Array(buf);
      case 'i8':
        return new BigInt64Array(buf);
      case 'f4':
        return new Float32Array(buf);
      case 'f8':
        return new Float64Array(buf);
    }
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (dtype) {
    case 'u2':
      return Uint16Array.from({ length: n }, (_, i) => view.getUint16(2 * i, true));
    case 'i2':
      return Int16Array.from({ length: n }, (_, i) => view.getInt16(2 * i, true));
    case 'u4':
      return Uint32Array.from({ length: n }, (_, i) => view.getUint32(4 * i, true));
    case 'i4':
      return Int32Array.from({ length: n }, (_, i) => view.getInt32(4 * i, true));
    case 'u8':
      return BigUint64Array.from({ length: n }, (_, i) => view.getBigUint64(8 * i, true));
    case 'i8':
      return BigInt64Array.from({ length: n }, (_, i) => view.getBigInt64(8 * i, true));
    case 'f4':
      return Float32Array.from({ length: n }, (_, i) => view.getFloat32(4 * i, true));
    default:
      return Float64Array.from({ length: n }, (_, i) => view.getFloat64(8 * i, true));
  }
}

/** Labels as int32, refusing values that a 32-bit label cannot hold rather than wrapping them. */
function labelsToInt32(values: NpyValues, file: string): Int32Array {
  if (values instanceof Int32Array) return values;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    const out = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as bigint;
      if (v < -0x80000000n || v > 0x7fffffffn) {
        throw new DatasetError(file, `sample ${i}: label ${v} does not fit a 32-bit integer`);
      }
      out[i] = Number(v);
    }
    return out;
  }
  if (values instanceof Uint32Array) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (v > 0x7fffffff)
        throw new DatasetError(file, `sample ${i}: label ${v} does not fit a 32-bit integer`);
    }
  }
  return new Int32Array(values as ArrayLike<number>);
}

export interface NpyFiles {
  readonly features: string;
  readonly labels: string;
}

/**
 * Pairs a features array (first axis = samples) with a labels array of shape (n,) or (n, 1).
 * `classes` defaults to the largest label + 1.
 */
export function npyToDataset(
  features: NpyArray,
  labels: NpyArray,
  files: NpyFiles,
  classes?: number,
): Dataset {
  if (!FEATURE_DTYPES.has(features.dtype)) {
    throw new DatasetError(
      files.features,
      `unsupported feature dtype ${features.dtype} (use uint8, float32 or float64)`,
    );
  }
  if (!LABEL_DTYPES.has(labels.dtype)) {
    throw new DatasetError(files.labels, `labels must have an integer dtype, got ${labels.dtype}`);
  }
  if (features.shape.length === 0) {
    throw new DatasetError(files.features, 'features are a 0-d scalar: the first axis must count samples');
  }
  const sampleShape = sampleShapeOf(features.shape);
  if (sampleShape.some((d) => d === 0)) {
    throw new DatasetError(files.features, `samples have zero size (shape (${features.shape.join(', ')}))`);
  }
  const count = features.shape[0] as number;
  const oneLabelEach = labels.shape.length === 1 || (labels.shape.length === 2 && labels.shape[1] === 1);
  if (!oneLabelEach) {
    throw new DatasetError(
      files.labels,
      `labels must have shape (n,) or (n, 1), got (${labels.shape.join(', ')})`,
    );
  }
  const labelCount = labels.shape[0] as number;
  if (labelCount !== count) {
    throw new DatasetError(
      files.labels,
      `sample/label count mismatch: ${labelCount} labels but ${files.features} holds ${count} samples`,
    );
  }
  const v = features.values;
  const x = v instanceof Float32Array ? v : new Float32Array(v as ArrayLike<number>);
  const y = labelsToInt32(labels.values, files.labels);
  // Integer features cannot be NaN or infinite: skip the scan over every value for them.
  const integral = !features.dtype.startsWith('f');
  (integral ? validateFeatureLayout : validateFeatures)(x, count, sampleShape, files.features);
  const k = classes ?? classesOf(y);
  validateLabels(y, count, k, files.labels);
  return { x, y, count, sampleShape, classes: k };
}

/** A features file's and a labels file's (gunzipped) bytes as a Dataset; `files` names them in errors. */
export function npyFilesToDataset(
  featureBytes: Uint8Array,
  labelBytes: Uint8Array,
  files: NpyFiles,
  classes?: number,
): Dataset {
  const features = parseNpy(featureBytes, files.features);
  const labels = parseNpy(labelBytes, files.labels);
  return npyToDataset(features, labels, files, classes);
}

/** Loads a features `.npy` and a labels `.npy` (each raw or gzip). */
export async function loadNpyDataset(
  featuresPath: string,
  labelsPath: string,
  classes?: number,
): Promise<Dataset> {
  const [featureBytes, labelBytes] = await readPair(pathDataFiles(), featuresPath, labelsPath);
  return npyFilesToDataset(featureBytes, labelBytes, { features: featuresPath, labels: labelsPath }, classes);
}
