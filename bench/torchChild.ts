/**
 * The PyTorch reference, held to one core. Debian's torch runs OpenMP and OpenBLAS threads that
 * `torch.set_num_threads(1)` does not stop (measured: 157–175% CPU unpinned, and slower), so every
 * PyTorch child gets the thread-count variables below in its environment, sets its intra- and inter-op
 * threads to 1 itself, and reports its CPU time. A figure whose CPU time exceeds its wall time by more
 * than MAX_TORCH_CORES is not published: it would compare Chorus with more than one core.
 */
import { existsSync } from 'node:fs';
import { runChild, type ChildOptions, type ChildOutcome } from './runChild.ts';

export const PYTHON = '/usr/bin/python3';

/** What pins the numeric libraries under torch to one thread; set before python starts. */
export const ONE_CORE_ENV: Readonly<Record<string, string>> = {
  OMP_NUM_THREADS: '1',
  OPENBLAS_NUM_THREADS: '1',
  MKL_NUM_THREADS: '1',
};

/** Most CPU-seconds per wall second a "one core" PyTorch measurement may use. */
export const MAX_TORCH_CORES = 1.1;

/** Why python cannot run the reference, or undefined when it can be tried. */
export function torchUnavailable(): string | undefined {
  return existsSync(PYTHON) ? undefined : `${PYTHON} is not installed`;
}

/** Runs a bench python script with the one-core environment. */
export function runTorchChild<T>(
  script: string,
  args: readonly string[],
  options: ChildOptions = {},
): Promise<ChildOutcome<T>> {
  return runChild<T>(PYTHON, [script, ...args], {
    ...options,
    env: { ...(options.env ?? process.env), ...ONE_CORE_ENV },
  });
}

/**
 * Why a PyTorch measurement cannot stand as a one-core figure (it used more than MAX_TORCH_CORES
 * cores over its timed window), or undefined when it can.
 */
export function notOneCore(m: { seconds: number; cpuSeconds: number }): string | undefined {
  if (!(m.seconds > 0)) return 'no timed window';
  const cores = m.cpuSeconds / m.seconds;
  return cores > MAX_TORCH_CORES
    ? `PyTorch used ${cores.toFixed(2)} CPU-s per wall second (more than ${MAX_TORCH_CORES}): not a one-core figure, so not published`
    : undefined;
}
