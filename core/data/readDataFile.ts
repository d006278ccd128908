import { readFile } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { DatasetError } from '../errors.ts';

const gunzipAsync = promisify(gunzip);

/** True when `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads a data file whole, gunzipping it when it starts with the gzip magic (whatever its name), so
 * every format can be given raw or `.gz`. Failures become `DatasetError`s that name the file.
 */
export async function readDataFile(file: string): Promise<Buffer> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (err) {
    throw new DatasetError(file, describeReadError(err), { cause: err });
  }
  if (!isGzip(raw)) return raw;
  try {
    // Async gunzip runs on libuv's pool: the event loop (heartbeats) keeps going during big files.
    return await gunzipAsync(raw);
  } catch (err) {
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
