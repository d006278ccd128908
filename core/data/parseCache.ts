import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { float32View } from '../artifacts/float32.ts';
import { FsArtifactStore } from '../artifacts/fsArtifactStore.ts';

/**
 * A cache of parsed float32 arrays for source files that are slow to parse (the bundled MNIST digits:
 * 21 MB of JSON, ~0.5 s per process, paid again by every worker and coordinator process). Each array
 * is stored as raw float32 bytes next to a manifest that names the sources by size and modification
 * time; a source that changed, a missing or short file, or an unreadable manifest is a miss, and the
 * caller parses as before. Writing is best effort: a read-only or full disk only costs the speed-up.
 * Files are written through FsArtifactStore (a temporary name, then a rename), the manifest last:
 * after a crash part-way, the manifest on disk either vouches for the sources as they are (and the
 * arrays, the same bytes, are complete) or does not match them (a miss). Two processes filling it at
 * once write the same bytes.
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
  const store = new FsArtifactStore(cacheDir);
  try {
    const manifest = JSON.parse(new TextDecoder().decode(await store.get(MANIFEST))) as Manifest;
    if (manifest.format !== FORMAT || manifest.floats.length !== names.length) return undefined;
    const now = await stampsOf(sourceDir, names);
    if (JSON.stringify(now) !== JSON.stringify(manifest.sources)) return undefined;
    return await Promise.all(
      names.map(async (_, i) => {
        const bytes = await store.get(arrayFile(i));
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
  // The store writes each file to a temporary name and renames it (see FsArtifactStore.put).
  const store = new FsArtifactStore(cacheDir);
  let key = MANIFEST;
  try {
    const sources = await stampsOf(sourceDir, names);
    for (const [i, a] of arrays.entries()) {
      key = arrayFile(i);
      await store.put(key, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
    key = MANIFEST;
    const manifest: Manifest = { format: FORMAT, sources, floats: arrays.map((a) => a.length) };
    await store.put(MANIFEST, new TextEncoder().encode(JSON.stringify(manifest)));
    return true;
  } catch {
    // A put cut short leaves its temporary file, which delete removes.
    await store.delete(key).catch(() => {});
    return false;
  }
}
