import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DatasetError } from '../../core/errors.ts';

/** A fresh temporary folder, removed when the test ends. */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-data-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `bytes` (gzipped when asked) to `dir/name` and returns the path. */
export async function put(
  dir: string,
  name: string,
  bytes: Uint8Array | string,
  gzip = false,
): Promise<string> {
  const file = join(dir, name);
  const raw = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  await writeFile(file, gzip ? gzipSync(raw) : raw);
  return file;
}

const IDX_CODES = { ubyte: 0x08, byte: 0x09, short: 0x0b, int: 0x0c, float: 0x0d, double: 0x0e } as const;
const IDX_SIZES = { ubyte: 1, byte: 1, short: 2, int: 4, float: 4, double: 8 } as const;

/** Encodes an IDX file: magic, big-endian dims, big-endian values. */
export function idxBytes(
  type: keyof typeof IDX_CODES,
  dims: readonly number[],
  values: ArrayLike<number>,
): Uint8Array {
  const size = IDX_SIZES[type];
  const out = new Uint8Array(4 + 4 * dims.length + values.length * size);
  const view = new DataView(out.buffer);
  out[2] = IDX_CODES[type];
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  let at = 4 + 4 * dims.length;
  for (let i = 0; i < values.length; i++, at += size) {
    const v = values[i] as number;
    if (type === 'ubyte') view.setUint8(at, v);
    else if (type === 'byte') view.setInt8(at, v);
    else if (type === 'short') view.setInt16(at, v, false);
    else if (type === 'int') view.setInt32(at, v, false);
    else if (type === 'float') view.setFloat32(at, v, false);
    else view.setFloat64(at, v, false);
  }
  return out;
}

export interface NpyOptions {
  version?: 1 | 2 | 3;
  fortran?: boolean;
  /** Header text to use verbatim instead of the generated one. */
  header?: string;
}

/** Encodes an `.npy` file the way numpy.save does (header padded so the data starts 64-aligned). */
export function npyBytes(
  descr: string,
  shape: readonly number[],
  data: ArrayBufferView,
  options: NpyOptions = {},
): Uint8Array {
  const version = options.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header =
    options.header ??
    `{'descr': '${descr}', 'fortran_order': ${options.fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const prefix = version === 1 ? 10 : 12;
  const pad = 64 - ((prefix + header.length + 1) % 64);
  header = header + ' '.repeat(pad % 64) + '\n';
  const headerBytes = Buffer.from(header, version === 3 ? 'utf8' : 'latin1');
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(prefix + headerBytes.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerBytes.length, true);
  else view.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, prefix);
  out.set(body, prefix + headerBytes.length);
  return out;
}

/**
 * Asserts that `run` throws (or rejects with) a DatasetError for `file` whose message matches every
 * pattern; returns the error for further checks.
 */
export async function rejectsDataset(
  run: () => unknown,
  file: string,
  ...patterns: RegExp[]
): Promise<DatasetError> {
  let caught: unknown;
  try {
    await run();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof DatasetError, `expected a DatasetError, got ${String(caught)}`);
  assert.equal(caught.file, file);
  assert.ok(caught.message.startsWith(`${file}: `), `message should name the file: ${caught.message}`);
  for (const p of patterns) assert.match(caught.message, p);
  return caught;
}
