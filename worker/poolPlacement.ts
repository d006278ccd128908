import { createRequire } from 'node:module';
import type { BackendChoice } from '../core/backend/backendChoice.ts';
import { NonRetryableError } from '../core/errors.ts';
import { WORKER_DEFAULTS } from './workerDefaults.ts';

/** How a pool keeps its slots apart: threads of this process, or child processes. */
export type Isolation = 'thread' | 'process';
export const ISOLATIONS: readonly Isolation[] = ['thread', 'process'];

/** What the user asked for (flags); every field optional but the backend. */
export interface PoolPlacementOptions {
  /** The backend the tasks ask for (a worker's `--backend`, else the job's); decides the default isolation. */
  backend: BackendChoice;
  isolation?: Isolation;
  slots?: number;
  /** GPU indices (`--gpus 0,1`): K child processes on each, K = `slotsPerGpu`. */
  gpus?: readonly number[];
  slotsPerGpu?: number;
}

/** One child process's place: its GPU (if any) and what it adds to its environment. */
export interface ChildPlacement {
  gpu?: number;
  env: Readonly<Record<string, string>>;
}

/** The pool to start. `children` has one entry per slot when `isolation` is `process`. */
export interface PoolPlan {
  isolation: Isolation;
  slots: number;
  children: ChildPlacement[];
}

/** A placement the flags describe that cannot work; names the flag. */
export class PoolPlacementError extends NonRetryableError {}

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
/** Backends that can run on a GPU: the GPU build, or `auto` (which tries it first). */
const GPU_BACKENDS: readonly BackendChoice[] = ['tensorflow-gpu', 'auto'];

/** Whether a native tfjs package is installed here (then `auto` starts it, and it needs processes). */
export function nativeBackendInstalled(resolves: (pkg: string) => boolean = packageResolves): boolean {
  return NATIVE_PACKAGES.some((pkg) => resolves(pkg));
}

function packageResolves(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/**
 * The default isolation: processes for the native backends (their addon loads once per process:
 * tfjs issues #2079, #3463, #8388) and for GPU placement; threads for wasm and cpu, whose engines
 * share a process well. `auto` counts as native when a native package is installed.
 */
export function defaultIsolation(
  options: Pick<PoolPlacementOptions, 'backend' | 'gpus'>,
  nativeInstalled: () => boolean = nativeBackendInstalled,
): Isolation {
  if (options.gpus !== undefined) return 'process';
  if (options.backend === 'tensorflow' || options.backend === 'tensorflow-gpu') return 'process';
  if (options.backend === 'auto' && nativeInstalled()) return 'process';
  return 'thread';
}

/**
 * Checks the flags against each other and plans the pool: isolation, slots, and each child's GPU and
 * environment (`CUDA_VISIBLE_DEVICES` set to its one GPU, `TF_FORCE_GPU_ALLOW_GROWTH=true` so that
 * several processes share a GPU's memory instead of the first taking it all).
 */
export function planPool(
  options: PoolPlacementOptions,
  nativeInstalled: () => boolean = nativeBackendInstalled,
): PoolPlan {
  const { gpus, slotsPerGpu } = options;
  if (slotsPerGpu !== undefined && (!Number.isInteger(slotsPerGpu) || slotsPerGpu < 1)) {
    throw new PoolPlacementError(`--slots-per-gpu: expected a positive integer, got ${slotsPerGpu}`);
  }
  if (options.slots !== undefined && (!Number.isInteger(options.slots) || options.slots < 1)) {
    throw new PoolPlacementError(`--slots: expected a positive integer, got ${options.slots}`);
  }
  if (gpus === undefined) {
    if (slotsPerGpu !== undefined) {
      throw new PoolPlacementError('--slots-per-gpu: needs --gpus (the GPUs to place the slots on)');
    }
    const isolation = options.isolation ?? defaultIsolation(options, nativeInstalled);
    const slots = options.slots ?? WORKER_DEFAULTS.slots();
    return {
      isolation,
      slots,
      children: isolation === 'process' ? Array.from({ length: slots }, () => ({ env: {} })) : [],
    };
  }
  checkGpuList(gpus);
  if (options.isolation === 'thread') {
    throw new PoolPlacementError(
      '--gpus: GPU placement needs --isolation process (threads share one process and its CUDA_VISIBLE_DEVICES)',
    );
  }
  if (!GPU_BACKENDS.includes(options.backend)) {
    throw new PoolPlacementError(
      `--gpus: backend '${options.backend}' does not run on a GPU; use --backend tensorflow-gpu (or auto), or leave --gpus out`,
    );
  }
  const perGpu = slotsPerGpu ?? 1;
  const slots = gpus.length * perGpu;
  if (options.slots !== undefined && options.slots !== slots) {
    throw new PoolPlacementError(
      `--slots: with --gpus the slots are GPUs × --slots-per-gpu (${gpus.length} × ${perGpu} = ${slots}), got ${options.slots}; leave --slots out`,
    );
  }
  const children = gpus.flatMap((gpu) =>
    Array.from({ length: perGpu }, () => ({
      gpu,
      env: { CUDA_VISIBLE_DEVICES: String(gpu), TF_FORCE_GPU_ALLOW_GROWTH: 'true' },
    })),
  );
  return { isolation: 'process', slots, children };
}

function checkGpuList(gpus: readonly number[]): void {
  if (gpus.length === 0) throw new PoolPlacementError('--gpus: expected GPU indices such as 0,1, got none');
  const seen = new Set<number>();
  for (const gpu of gpus) {
    if (!Number.isInteger(gpu) || gpu < 0) {
      throw new PoolPlacementError(`--gpus: expected non-negative GPU indices, got ${gpu}`);
    }
    if (seen.has(gpu)) throw new PoolPlacementError(`--gpus: GPU ${gpu} is listed twice`);
    seen.add(gpu);
  }
}

/** Parses `0,1,3` (the `--gpus` flag and CHORUS_GPUS); `what` names the source in errors. */
export function parseGpuList(text: string, what = '--gpus'): number[] {
  const parts = text.split(',').map((p) => p.trim());
  return parts.map((part) => {
    if (!/^\d+$/.test(part)) {
      throw new PoolPlacementError(
        `${what}: expected comma-separated GPU indices such as 0,1, got "${text}"`,
      );
    }
    return Number(part);
  });
}
