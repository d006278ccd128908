import { DatasetError } from '../errors.ts';
import type { Dataset } from './dataset.ts';
import { pathDataFiles, readPair } from './dataFiles.ts';
import { classesOf, validateFeatureLayout, validateFeatures, validateLabels } from './validate.ts';

/**
 * IDX files, the MNIST / Fashion-MNIST format: magic `00 00 <type> <ndims>`, then `ndims` big-endian
 * uint32 dimensions, then the values, big-endian, row-major.
 */

export type IdxType = 'ubyte' | 'byte' | 'short' | 'int' | 'float' | 'double';

export type IdxValues = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  readonly type: IdxType;
  readonly dims: readonly number[];
  readonly values: IdxValues;
}

const TYPES: ReadonlyMap<number, { type: IdxType; size: number }> = new Map([
  [0x08, { type: 'ubyte', size: 1 }],
  [0x09, { type: 'byte', size: 1 }],
  [0x0b, { type: 'short', size: 2 }],
  [0x0c, { type: 'int', size: 4 }],
  [0x0d, { type: 'float', size: 4 }],
  [0x0e, { type: 'double', size: 8 }],
]);

const hex = (b: number | undefined): string => (b ?? 0).toString(16).padStart(2, '0');

/**
 * What a file that is not IDX seems to be, from its first bytes, without quoting them (the file may
 * be anything: see describeText.ts).
 */
function lookalike(bytes: Uint8Array): string {
  const start = (text: string) => [...text].every((c, i) => bytes[i] === c.charCodeAt(0));
  if (start('\x93NUMPY')) return ' (it looks like an NPY file: use format npy)';
  if (start('PK\x03\x04')) return ' (it looks like a zip archive: unzip it first)';
  const head = bytes.subarray(0, 64);
  const printable = head.every(
    (b) => b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f) || b >= 0x80,
  );
  return head.length > 0 && printable ? ' (it starts with text: a CSV file? use format csv)' : '';
}

/**
 * Parses a whole (already gunzipped) IDX file; `file` names it in errors. For byte types the values
 * share memory with `bytes`.
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) {
    throw new DatasetError(file, `not an IDX file: only ${bytes.length} bytes, the header alone needs 4`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DatasetError(
      file,
      `wrong magic number: an IDX file starts with 00 00 <type> <ndims>, this one does not${lookalike(bytes)}`,
    );
  }
  const typeCode = bytes[2] as number;
  const kind = TYPES.get(typeCode);
  if (!kind) {
    throw new DatasetError(
      file,
      `unsupported IDX data type 0x${hex(typeCode)} (expected 08 ubyte, 09 byte, 0b short, 0c int, 0d float or 0e double)`,
    );
  }
  const ndims = bytes[3] as number;
  if (ndims === 0) throw new DatasetError(file, 'IDX header declares 0 dimensions');
  const headerSize = 4 + 4 * ndims;
  if (bytes.length < headerSize) {
    throw new DatasetError(
      file,
      `truncated: header declares ${ndims} dimensions but the file has only ${bytes.length} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerSize + count * kind.size;
  const shape = dims.join('×');
  if (!Number.isSafeInteger(expected)) {
    throw new DatasetError(file, `dimensions ${shape} describe more values than any file can hold`);
  }
  if (bytes.length < expected) {
    throw new DatasetError(
      file,
      `truncated: dimensions ${shape} need ${expected} bytes but the file has ${bytes.length}`,
    );
  }
  if (bytes.length > expected) {
    throw new DatasetError(
      file,
      `${bytes.length - expected} unexpected trailing bytes after the ${shape} ${kind.type} values`,
    );
  }
  return { type: kind.type, dims, values: decode(view, headerSize, count, kind.type) };
}

/** Copies the big-endian payload into a native typed array. */
function decode(view: DataView, offset: number, n: number, type: IdxType): IdxValues {
  switch (type) {
    // Byte types are views into the file's bytes, not copies: images are converted to float32 next
    // anyway, and a 47 MB copy of Fashion-MNIST costs more than the conversion.
    case 'ubyte':
      return new Uint8Array(view.buffer, view.byteOffset + offset, n);
    case 'byte':
      return new Int8Array(view.buffer, view.byteOffset + offset, n);
    case 'short': {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'double': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/**
 * Sample shape for an array whose first axis counts samples: the remaining axes, with a trailing
 * channel of 1 for 2-D samples (28×28 images → [28, 28, 1], as conv2d layers expect); [1] for scalars.
 */
export function sampleShapeOf(dims: readonly number[]): number[] {
  const rest = dims.slice(1);
  if (rest.length === 0) return [1];
  if (rest.length === 2) return [...rest, 1];
  return rest;
}

export interface IdxFiles {
  readonly images: string;
  readonly labels: string;
}

/**
 * Pairs an images array with a labels array; checks counts and types, then validates values.
 * `classes` defaults to the largest label + 1.
 */
export function idxToDataset(images: IdxArray, labels: IdxArray, files: IdxFiles, classes?: number): Dataset {
  const count = images.dims[0] as number;
  const sampleShape = sampleShapeOf(images.dims);
  if (sampleShape.some((d) => d === 0)) {
    throw new DatasetError(files.images, `samples have zero size (dimensions ${images.dims.join('×')})`);
  }
  if (labels.type === 'float' || labels.type === 'double') {
    throw new DatasetError(files.labels, `labels must be an integer IDX type, got ${labels.type}`);
  }
  const labelsPerSample = labels.dims.slice(1).reduce((a, b) => a * b, 1);
  if (labelsPerSample !== 1) {
    throw new DatasetError(
      files.labels,
      `expected one label per sample, but the labels have dimensions ${labels.dims.join('×')}`,
    );
  }
  const labelCount = labels.dims[0] as number;
  if (labelCount !== count) {
    throw new DatasetError(
      files.labels,
      `sample/label count mismatch: ${labelCount} labels but ${files.images} holds ${count} samples`,
    );
  }
  // A typed-array copy converts natively: no per-element JS work for the 47M pixels of Fashion-MNIST.
  const x = images.values instanceof Float32Array ? images.values : new Float32Array(images.values);
  const y = labels.values instanceof Int32Array ? labels.values : new Int32Array(labels.values);
  // Integer pixels cannot be NaN or infinite: skip the scan over every value for them.
  const integral = images.type !== 'float' && images.type !== 'double';
  (integral ? validateFeatureLayout : validateFeatures)(x, count, sampleShape, files.images);
  const k = classes ?? classesOf(y);
  validateLabels(y, count, k, files.labels);
  return { x, y, count, sampleShape, classes: k };
}

/** An images file's and a labels file's (gunzipped) bytes as a Dataset; `files` names them in errors. */
export function idxFilesToDataset(
  imageBytes: Uint8Array,
  labelBytes: Uint8Array,
  files: IdxFiles,
  classes?: number,
): Dataset {
  const images = parseIdx(imageBytes, files.images);
  const labels = parseIdx(labelBytes, files.labels);
  return idxToDataset(images, labels, files, classes);
}

/** Loads an images file and a labels file (each raw or gzip). */
export async function loadIdxDataset(
  imagesPath: string,
  labelsPath: string,
  classes?: number,
): Promise<Dataset> {
  const [imageBytes, labelBytes] = await readPair(pathDataFiles(), imagesPath, labelsPath);
  return idxFilesToDataset(imageBytes, labelBytes, { images: imagesPath, labels: labelsPath }, classes);
}
