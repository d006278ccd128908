import { resolve } from 'node:path';
import { DatasetError } from '../errors.ts';
import { decodeDataFile, readDataFile } from './readDataFile.ts';

/**
 * Where a job's data files come from, and how messages name them. The same readers and checks run on
 * files on disk (`chorus run`, a worker's downloaded copies) and on files held in memory (`chorus
 * submit` before uploading, the coordinator checking an upload), so every path refuses bad data alike.
 */
export interface DataFiles {
  /** The contents of the file the job names `path`, gunzipped; errors are DatasetErrors naming `nameOf(path)`. */
  read(path: string): Promise<Buffer>;
  /** How messages name the file the job names `path`. */
  nameOf(path: string): string;
}

export interface DataFilesOptions {
  /** How messages name a file, from its path in the job (default: see each constructor). */
  nameOf?: (path: string) => string;
  /** Most bytes of one file, raw and decompressed (default MAX_DATA_FILE_BYTES). */
  maxBytes?: number;
}

/** Files on disk, relative paths resolved against `baseDir`; named by their resolved path unless told. */
export function diskDataFiles(baseDir: string, options: DataFilesOptions = {}): DataFiles {
  const nameOf = options.nameOf ?? ((path: string) => resolve(baseDir, path));
  return {
    nameOf,
    read: (path) =>
      readDataFile(resolve(baseDir, path), {
        shownAs: nameOf(path),
        ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      }),
  };
}

/** Files held in memory, by their path in the job; named by that path unless told. */
export function memoryDataFiles(
  files: ReadonlyMap<string, Uint8Array>,
  options: DataFilesOptions = {},
): DataFiles {
  const nameOf = options.nameOf ?? ((path: string) => path);
  return {
    nameOf,
    read: async (path) => {
      const bytes = files.get(path);
      if (!bytes) throw new DatasetError(nameOf(path), 'was not provided with the job');
      return decodeDataFile(bytes, nameOf(path), {
        ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      });
    },
  };
}

/** Files on disk by the paths given (relative to the working folder), named as given. */
export function pathDataFiles(): DataFiles {
  return diskDataFiles(process.cwd(), { nameOf: (path) => path });
}

/**
 * Reads two files at once, but reports problems in a fixed order (the first file's first), so that
 * messages are stable.
 */
export async function readPair(files: DataFiles, first: string, second: string): Promise<[Buffer, Buffer]> {
  const [a, b] = await Promise.allSettled([files.read(first), files.read(second)]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return [a.value, b.value];
}
