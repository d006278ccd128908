import * as tf from '@tensorflow/tfjs';
import type * as WasmBackend from '@tensorflow/tfjs-backend-wasm';
import path from 'node:path';
import { BackendUnavailableError } from '../errors.ts';
import type { BackendChoice } from './backendChoice.ts';
import type { BackendInfo } from './backendInfo.ts';
import type * as WasmKernels from './wasm/registerWasmKernels.ts';
import { currentBackend, recordBackend } from './currentBackend.ts';
import { packageVersion } from './packageVersion.ts';
import { wasmDistDir } from './wasmDistDir.ts';
import { withoutAddedProcessHandlers } from './withoutAddedProcessHandlers.ts';

export type { BackendInfo } from './backendInfo.ts';
export { currentBackend } from './currentBackend.ts';

export interface SelectBackendOptions {
  /**
   * Load the SIMD wasm binary (default true): in Node 20 it loads and runs matmuls ~3x faster than the
   * plain one. Only the first wasm start in a thread reads this. The threaded binary never loads in Node.
   */
  wasmSimd?: boolean;
  /** Loads a package by name; tests replace it to simulate missing or broken native backends. */
  importModule?: (specifier: string) => Promise<unknown>;
  /** Told why `auto` passed over a backend (e.g. tfjs-node failing with "Module did not self-register"). */
  onSkip?: (choice: BackendChoice, reason: string) => void;
}

type Resolved = Exclude<BackendChoice, 'auto'>;

const NATIVE = {
  'tensorflow-gpu': { pkg: '@tensorflow/tfjs-node-gpu', gpu: true },
  tensorflow: { pkg: '@tensorflow/tfjs-node', gpu: false },
} as const;

const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
const CPU_PACKAGE = '@tensorflow/tfjs-backend-cpu';
const AUTO_ORDER: readonly Resolved[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

// Calls run one after another, so concurrent callers in a thread never interleave two backend switches.
let queue: Promise<unknown> = Promise.resolve();
let wasmPathsSet = false;

/**
 * Chooses, starts and records this thread's tfjs backend. `auto` tries tensorflow-gpu, tensorflow, wasm,
 * then cpu, passing over packages that are not installed or fail to load. An explicit choice that cannot
 * start rejects with a `BackendUnavailableError` saying how to install it. Calling again with the same
 * choice returns the recorded info without restarting anything.
 */
export function selectBackend(
  choice: BackendChoice,
  options: SelectBackendOptions = {},
): Promise<BackendInfo> {
  const run = queue.then(() => select(choice, options));
  queue = run.catch(() => undefined);
  return run;
}

async function select(choice: BackendChoice, options: SelectBackendOptions): Promise<BackendInfo> {
  const current = currentBackend();
  if (current !== undefined && current.choice === choice && tf.getBackend() === current.name) return current;
  if (choice !== 'auto') return recordBackend(await start(choice, choice, options));
  for (const candidate of AUTO_ORDER) {
    try {
      return recordBackend(await start(candidate, choice, options));
    } catch (error) {
      if (!(error instanceof BackendUnavailableError) || candidate === 'cpu') throw error;
      options.onSkip?.(candidate, error.message);
    }
  }
  throw new BackendUnavailableError('no tfjs backend could start');
}

function start(which: Resolved, choice: BackendChoice, options: SelectBackendOptions): Promise<BackendInfo> {
  switch (which) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return startNative(which, choice, options);
    case 'wasm':
      return startWasm(choice, options);
    case 'cpu':
      return startCpu(choice);
  }
}

async function startNative(
  which: 'tensorflow-gpu' | 'tensorflow',
  choice: BackendChoice,
  options: SelectBackendOptions,
): Promise<BackendInfo> {
  const { pkg, gpu } = NATIVE[which];
  const install = `npm install ${pkg}`;
  const load = options.importModule ?? ((specifier: string) => import(specifier));
  try {
    await load(pkg);
  } catch (error) {
    if (isNotInstalled(error, pkg)) {
      throw new BackendUnavailableError(`backend '${which}' needs ${pkg}: ${install}`, { cause: error });
    }
    // Typically "Module did not self-register" (a second thread loading the native addon) or missing
    // libtensorflow / CUDA libraries.
    throw new BackendUnavailableError(
      `backend '${which}': ${pkg} is installed but failed to load (${messageOf(error)}); ` +
        `reinstall it (${install}), or run the native backend on one thread per process`,
      { cause: error },
    );
  }
  if (tf.findBackendFactory('tensorflow') === null) {
    throw new BackendUnavailableError(
      `backend '${which}': ${pkg} loaded but registered no 'tensorflow' backend with this copy of ` +
        `@tensorflow/tfjs (two tfjs-core versions installed?); ${install}@${tf.version_core}`,
    );
  }
  await activate('tensorflow', which, install);
  return { name: 'tensorflow', package: pkg, version: packageVersion(pkg), choice, gpu, patchedKernels: [] };
}

async function startWasm(choice: BackendChoice, options: SelectBackendOptions): Promise<BackendInfo> {
  const install = `npm install ${WASM_PACKAGE}`;
  let wasm: typeof WasmBackend;
  let kernels: typeof WasmKernels;
  try {
    wasm = await import('@tensorflow/tfjs-backend-wasm');
    kernels = await import('./wasm/registerWasmKernels.ts');
  } catch (error) {
    throw new BackendUnavailableError(`backend 'wasm' could not load (${messageOf(error)}): ${install}`, {
      cause: error,
    });
  }
  const dist = wasmDistDir();
  if (!wasmPathsSet) {
    // Node cannot start the threaded build (its workers come from blob: URLs).
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (options.wasmSimd === false) tf.env().set('WASM_HAS_SIMD_SUPPORT', false);
    // A plain folder path: in Node the emscripten loader reads the binary with fs.
    wasm.setWasmPaths(dist + path.sep);
    wasmPathsSet = true;
  }
  // Before the backend starts, so the engine runs the stock setup functions the replacements keep.
  const patchedKernels = kernels.registerWasmKernels();
  await withoutAddedProcessHandlers(() =>
    activate('wasm', 'wasm', `${install} (the .wasm files are looked for in ${dist})`),
  );
  return {
    name: 'wasm',
    package: WASM_PACKAGE,
    version: packageVersion(WASM_PACKAGE),
    choice,
    gpu: false,
    patchedKernels,
  };
}

async function startCpu(choice: BackendChoice): Promise<BackendInfo> {
  const install = `npm install ${CPU_PACKAGE}`;
  try {
    // Registered already where the @tensorflow/tfjs umbrella is loaded; the compiled pool threads load
    // only the packages they use (leanTfjs.ts), so the cpu backend comes in here.
    await import('@tensorflow/tfjs-backend-cpu');
  } catch (error) {
    throw new BackendUnavailableError(`backend 'cpu' could not load (${messageOf(error)}): ${install}`, {
      cause: error,
    });
  }
  await activate('cpu', 'cpu', install);
  return {
    name: 'cpu',
    package: CPU_PACKAGE,
    version: packageVersion(CPU_PACKAGE),
    choice,
    gpu: false,
    patchedKernels: [],
  };
}

/**
 * `tf.setBackend` resolves false (after a console warning) when the backend fails to initialise, and
 * leaves the engine pointing at it; the previous backend is put back so the thread keeps working.
 */
async function activate(name: string, which: Resolved, hint: string): Promise<void> {
  const previous: string | null = tf.getBackend();
  let failure: unknown;
  try {
    if ((await tf.setBackend(name)) && tf.getBackend() === name) {
      await tf.ready();
      return;
    }
  } catch (error) {
    failure = error;
  }
  if (previous !== null && previous !== name) await tf.setBackend(previous).catch(() => false);
  const reason = failure === undefined ? '' : ` (${messageOf(failure)})`;
  throw new BackendUnavailableError(`backend '${which}' failed to start${reason}; ${hint}`, {
    cause: failure,
  });
}

function isNotInstalled(error: unknown, pkg: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = 'code' in error ? error.code : undefined;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  // Only the package itself missing counts; a missing dependency of an installed package is a load failure.
  return messageOf(error).includes(`'${pkg}'`) || messageOf(error).includes(`"${pkg}"`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
