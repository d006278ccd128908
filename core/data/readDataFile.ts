import { open } from 'node:fs/promises';
import { gunzip, type ZlibOptions } from 'node:zlib';
import { promisify } from 'node:util';
import { DatasetError } from '../errors.ts';

const gunzipAsync = promisify<Buffer, ZlibOptions, Buffer>(gunzip);

/**
 * Largest data file, raw or after gunzip: Node cannot read a bigger file into one buffer anyway, and a
 * small gzip "bomb" must not expand until the process runs out of memory.
 */
export const MAX_DATA_FILE_BYTES = 2 ** 31 - 1;

/** True when `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export interface ReadDataFileOptions {
  /** Most bytes accepted, raw and decompressed (default MAX_DATA_FILE_BYTES; tests lower it). */
  maxBytes?: number;
  /** How errors name the file (default: its path). */
  shownAs?: string;
}

/**
 * Reads a data file whole, gunzipping it when it starts with the gzip magic (whatever its name), so
 * every format can be given raw or `.gz`. Failures become `DatasetError`s that name the file.
 */
export async function readDataFile(file: string, options: ReadDataFileOptions = {}): Promise<Buffer> {
  return decodeDataFile(await readRawDataFile(file, options), options.shownAs ?? file, options);
}

/**
 * Reads a data file's bytes as they are on disk (no gunzip). Only regular files are read (a device
 * such as /dev/zero or a pipe would never end), and the size limit is checked before reading.
 */
export async function readRawDataFile(file: string, options: ReadDataFileOptions = {}): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? MAX_DATA_FILE_BYTES;
  const name = options.shownAs ?? file;
  try {
    const handle = await open(file, 'r');
    try {
      const info = await handle.stat();
      if (info.isDirectory()) throw new DatasetError(name, 'is a directory, expected a file');
      if (!info.isFile()) throw new DatasetError(name, 'is not a regular file (a device, pipe or socket)');
      if (info.size > maxBytes) {
        throw new DatasetError(
          name,
          `is ${info.size} bytes, over the limit of ${maxBytes} bytes for a data file`,
        );
      }
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError(name, describeReadError(err), { cause: err });
  }
}

/**
 * A data file's contents from its bytes as stored (read from disk or uploaded): gunzipped when they
 * start with the gzip magic, within the size limit raw and decompressed. `name` names it in errors.
 */
export async function decodeDataFile(
  raw: Uint8Array,
  name: string,
  options: ReadDataFileOptions = {},
): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? MAX_DATA_FILE_BYTES;
  if (raw.byteLength > maxBytes) {
    throw new DatasetError(
      name,
      `is ${raw.byteLength} bytes, over the limit of ${maxBytes} bytes for a data file`,
    );
  }
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (!isGzip(bytes)) return bytes;
  try {
    // Async gunzip runs on libuv's pool: the event loop (heartbeats) keeps going during big files.
    return await gunzipAsync(bytes, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DatasetError(name, `decompresses to more than ${maxBytes} bytes, the limit for a data file`, {
        cause: err,
      });
    }
    // zlib's messages describe the stream ("unexpected end of file"), never its content.
    const detail = err instanceof Error ? err.message : String(err);
    throw new DatasetError(name, `corrupt or truncated gzip data (${detail})`, { cause: err });
  }
}

/** The reason a file could not be read; system messages are left out, as they repeat the real path. */
function describeReadError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'is a directory, expected a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'too many symbolic links';
  if (code === 'ENOTDIR') return 'a folder on its path is a file';
  return `cannot read file (${typeof code === 'string' ? code : 'unknown error'})`;
}
