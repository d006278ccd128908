import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { float32View } from '../artifacts/float32.ts';

/**
 * A cache of parsed float32 arrays for source files that are slow to parse (the bundled MNIST digits:
 * 21 MB of JSON, ~0.5 s per process, paid again by every worker and coordinator process). Each array
 * is stored as raw float32 bytes next to a manifest that names the sources by size and modification
 * time; a source that changed, a missing or short file, or an unreadable manifest is a miss, and the
 * caller parses as before. Writing is best effort: a read-only or full disk only costs the speed-up.
 * Files are written to a temporary name and renamed, the manifest last: after a crash part-way, the
 * manifest on disk either vouches for the sources as they are (and the arrays, the same bytes, are
 * complete) or does not match them (a miss). Two processes filling it at once write the same bytes.
 */

/** Bump when the stored layout changes, so old caches are ignored. */
const FORMAT = 1;
const MANIFEST = 'manifest.json';

interface SourceStamp {
  name: string;
  size: number;
  mtimeMs: number;
}

interface Manifest {
  format: number;
  sources: SourceStamp[];
  /** Floats in each array, in the order of the sources. */
  floats: number[];
}

async function stampsOf(sourceDir: string, names: readonly string[]): Promise<SourceStamp[]> {
  return Promise.all(
    names.map(async (name) => {
      const s = await stat(join(sourceDir, name));
      return { name, size: s.size, mtimeMs: s.mtimeMs };
    }),
  );
}

const arrayFile = (i: number) => `${i}.f32`;

/** The arrays parsed from `names` (files of `sourceDir`), if `cacheDir` holds them for these sources. */
export async function readParseCache(
  cacheDir: string,
  sourceDir: string,
  names: readonly string[],
): Promise<Float32Array[] | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(cacheDir, MANIFEST), 'utf8')) as Manifest;
    if (manifest.format !== FORMAT || manifest.floats.length !== names.length) return undefined;
    const now = await stampsOf(sourceDir, names);
    if (JSON.stringify(now) !== JSON.stringify(manifest.sources)) return undefined;
    return await Promise.all(
      names.map(async (_, i) => {
        const bytes = await readFile(join(cacheDir, arrayFile(i)));
        if (bytes.byteLength !== (manifest.floats[i] ?? -1) * 4) throw new Error('short cache file');
        return float32View(bytes);
      }),
    );
  } catch {
    return undefined;
  }
}

/** Stores `arrays` (parsed from `names` in `sourceDir`) for readParseCache; never throws. */
export async function writeParseCache(
  cacheDir: string,
  sourceDir: string,
  names: readonly string[],
  arrays: readonly Float32Array[],
): Promise<boolean> {
  const written: string[] = [];
  const put = async (name: string, data: Uint8Array | string) => {
    const tmp = join(cacheDir, `${name}.${randomBytes(6).toString('hex')}.tmp`);
    written.push(tmp);
    await writeFile(tmp, data);
    await rename(tmp, join(cacheDir, name));
  };
  try {
    const sources = await stampsOf(sourceDir, names);
    await mkdir(cacheDir, { recursive: true });
    for (const [i, a] of arrays.entries()) {
      await put(arrayFile(i), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
    const manifest: Manifest = { format: FORMAT, sources, floats: arrays.map((a) => a.length) };
    await put(MANIFEST, JSON.stringify(manifest));
    return true;
  } catch {
    await Promise.all(written.map((tmp) => rm(tmp, { force: true })));
    return false;
  }
}
