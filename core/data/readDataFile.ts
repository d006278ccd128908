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
}

/**
 * Reads a data file whole, gunzipping it when it starts with the gzip magic (whatever its name), so
 * every format can be given raw or `.gz`. Only regular files are read (a device such as /dev/zero or a
 * pipe would never end). Failures become `DatasetError`s that name the file.
 */
export async function readDataFile(file: string, options: ReadDataFileOptions = {}): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? MAX_DATA_FILE_BYTES;
  let raw: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      const info = await handle.stat();
      if (info.isDirectory()) throw new DatasetError(file, 'is a directory, expected a file');
      if (!info.isFile()) throw new DatasetError(file, 'is not a regular file (a device, pipe or socket)');
      if (info.size > maxBytes) {
        throw new DatasetError(
          file,
          `is ${info.size} bytes, over the limit of ${maxBytes} bytes for a data file`,
        );
      }
      raw = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError(file, describeReadError(err), { cause: err });
  }
  if (!isGzip(raw)) return raw;
  try {
    // Async gunzip runs on libuv's pool: the event loop (heartbeats) keeps going during big files.
    return await gunzipAsync(raw, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DatasetError(file, `decompresses to more than ${maxBytes} bytes, the limit for a data file`, {
        cause: err,
      });
    }
    const detail = err instanceof Error ? err.message : String(err);
    throw new DatasetError(file, `corrupt or truncated gzip data (${detail})`, { cause: err });
  }
}

function describeReadError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'is a directory, expected a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `cannot read file (${err instanceof Error ? err.message : String(err)})`;
}
