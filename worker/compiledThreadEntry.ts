/**
 * The pool threads' code compiled into one CommonJS file, so that a thread starts in a fraction of the
 * time: no tsx in the thread (no TypeScript transform, loader hooks or source maps), packages loaded by
 * `require` (not through the ESM loader, which scans every CommonJS package for its exports), and only
 * the tfjs packages Chorus uses (core/backend/leanTfjs.ts stands in for the @tensorflow/tfjs umbrella).
 *
 * esbuild (already installed: tsx runs on it) builds it into node_modules/.cache/chorus on the first run,
 * and again whenever a source file it was built from changes (size or modification time), so it never
 * goes stale and is never committed. Where it cannot be built (no node_modules folder to write in, no
 * esbuild) the threads run the TypeScript through tsx as before. CHORUS_COMPILED_THREADS=0 asks for that.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as EsbuildApi from 'esbuild';

/** Environment variable: `0` runs the pool threads through tsx instead of the compiled entry. */
export const COMPILED_THREADS_ENV = 'CHORUS_COMPILED_THREADS';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Bumped when the build options below change, so an older build is not taken for a fresh one. */
const BUILD_FORMAT = 3;

/** One compiled entry: the TypeScript file, and where its bundle and manifest go (under `root`). */
export interface CompiledEntryTarget {
  /** Paths in the manifest are relative to it. */
  root: string;
  entry: string;
  output: string;
  manifest: string;
}

const THREAD_ENTRY: CompiledEntryTarget = {
  root: ROOT,
  entry: path.join(ROOT, 'worker', 'poolThread.ts'),
  output: path.join(ROOT, 'node_modules', '.cache', 'chorus', 'poolThread.cjs'),
  manifest: path.join(ROOT, 'node_modules', '.cache', 'chorus', 'poolThread.json'),
};

/** What a build was made from: its options and every input file's size and modification time. */
interface Manifest {
  format: number;
  esbuild: string;
  node: string;
  inputs: [file: string, size: number, mtimeMs: number][];
}

/** The pool's child processes (worker/processPool/poolChild.ts), compiled the same way. */
const PROCESS_ENTRY: CompiledEntryTarget = {
  root: ROOT,
  entry: path.join(ROOT, 'worker', 'processPool', 'poolChild.ts'),
  output: path.join(ROOT, 'node_modules', '.cache', 'chorus', 'poolChild.cjs'),
  manifest: path.join(ROOT, 'node_modules', '.cache', 'chorus', 'poolChild.json'),
};

const pending = new Map<CompiledEntryTarget, Promise<string | undefined>>();

/**
 * The compiled thread entry's path, built first when missing or stale; undefined when the threads must
 * run through tsx (see the file comment). Built once per process.
 */
export function compiledThreadEntry(): Promise<string | undefined> {
  return compiledEntry(THREAD_ENTRY);
}

/** The compiled entry of the pool's child processes, as compiledThreadEntry is for threads. */
export function compiledProcessEntry(): Promise<string | undefined> {
  return compiledEntry(PROCESS_ENTRY);
}

function compiledEntry(target: CompiledEntryTarget): Promise<string | undefined> {
  if (process.env[COMPILED_THREADS_ENV] === '0') return Promise.resolve(undefined);
  let built = pending.get(target);
  if (built === undefined) {
    built = ensureBuilt(target).catch(() => undefined);
    pending.set(target, built);
  }
  return built;
}

async function ensureBuilt(target: CompiledEntryTarget): Promise<string | undefined> {
  if (!existsSync(path.join(ROOT, 'node_modules'))) return undefined;
  return (await buildIfStale(target)) ? target.output : undefined;
}

/**
 * Builds `target` unless its bundle is fresh (built by this build format, esbuild and Node from inputs of
 * the sizes and modification times recorded). False when esbuild is not installed.
 */
export async function buildIfStale(target: CompiledEntryTarget): Promise<boolean> {
  const esbuild = await loadEsbuild();
  if (esbuild === undefined) return false;
  if (!isFresh(target, esbuild.version)) await build(target, esbuild);
  return true;
}

type Esbuild = typeof EsbuildApi;

async function loadEsbuild(): Promise<Esbuild | undefined> {
  try {
    return (await import('esbuild')) as Esbuild;
  } catch {
    return undefined;
  }
}

function isFresh(target: CompiledEntryTarget, esbuildVersion: string): boolean {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(target.manifest, 'utf8')) as Manifest;
    if (!existsSync(target.output)) return false;
  } catch {
    return false;
  }
  if (
    manifest.format !== BUILD_FORMAT ||
    manifest.esbuild !== esbuildVersion ||
    manifest.node !== process.version
  ) {
    return false;
  }
  return manifest.inputs.every(([file, size, mtimeMs]) => {
    try {
      const s = statSync(path.join(target.root, file));
      return s.size === size && s.mtimeMs === mtimeMs;
    } catch {
      return false;
    }
  });
}

async function build(target: CompiledEntryTarget, esbuild: Esbuild): Promise<void> {
  const require = createRequire(import.meta.url);
  const tfjsCore = (file: string): string =>
    path.join(path.dirname(require.resolve('@tensorflow/tfjs-core/package.json')), file);
  const tmp = `${target.output}.${process.pid}.tmp`;
  await mkdir(path.dirname(target.output), { recursive: true });
  try {
    const result = await esbuild.build({
      entryPoints: [target.entry],
      absWorkingDir: target.root,
      outfile: tmp,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: `node${process.versions.node.split('.')[0]}`,
      // Packages stay where npm put them (one copy of tfjs per thread, shared with tfjs-node if installed),
      // and are loaded by require even where the source imports them dynamically.
      packages: 'external',
      supported: { 'dynamic-import': false },
      minifyWhitespace: true,
      minifySyntax: true,
      alias: {
        '@tensorflow/tfjs': path.join(ROOT, 'core', 'backend', 'leanTfjs.ts'),
        // leanTfjs.ts's side-effect imports: tfjs-core's ES modules, bundled (Node cannot load them).
        '@tensorflow/tfjs-core/dist/register_all_gradients.js': tfjsCore('dist/register_all_gradients.js'),
        '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js': tfjsCore(
          'dist/public/chained_ops/register_all_chained_ops.js',
        ),
      },
      plugins: [ownImportMetaUrl],
      metafile: true,
      logLevel: 'silent',
    });
    // esbuild names inputs relative to its working directory, the root.
    const inputs: Manifest['inputs'] = Object.keys(result.metafile.inputs).map((file) => {
      const s = statSync(path.resolve(target.root, file));
      return [file, s.size, s.mtimeMs];
    });
    const manifest: Manifest = {
      format: BUILD_FORMAT,
      esbuild: esbuild.version,
      node: process.version,
      inputs,
    };
    // Renames: a process reading meanwhile sees the old build or the new one, never half of one.
    await rename(tmp, target.output);
    const manifestTmp = `${target.manifest}.${process.pid}.tmp`;
    await writeFile(manifestTmp, JSON.stringify(manifest));
    await rename(manifestTmp, target.manifest);
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Each source file keeps its own `import.meta.url` (a CommonJS bundle has none): paths it resolves
 * relative to itself (package lookups, proto/chorus.proto) stay right.
 */
const ownImportMetaUrl: EsbuildApi.Plugin = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replaceAll(
        'import.meta.url',
        JSON.stringify(pathToFileURL(args.path).href),
      ),
      loader: 'ts',
    }));
  },
};

/**
 * Node flags that load tsx into a thread (inherited from a parent started with `--import tsx`): a
 * compiled thread has no TypeScript to load and would pay for tsx's start-up and source maps.
 */
export function withoutTsxFlags(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i]!;
    const [name, inline] = flag.split('=', 2) as [string, string | undefined];
    if (['--import', '--loader', '--experimental-loader', '--require', '-r'].includes(name)) {
      const value = inline ?? execArgv[i + 1] ?? '';
      if (inline === undefined) i++;
      if (/(^|[/\\])tsx([/\\@]|$)/.test(value)) continue;
      out.push(flag);
      if (inline === undefined && i < execArgv.length) out.push(value);
      continue;
    }
    out.push(flag);
  }
  return out;
}

// `npm run build:threads` (images build both entries while their file system is still writable).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const built of [await compiledThreadEntry(), await compiledProcessEntry()]) {
    if (built === undefined) {
      process.stderr.write('chorus: a compiled pool entry could not be built (is esbuild installed?)\n');
      process.exitCode = 1;
    } else process.stdout.write(`${built}\n`);
  }
}
