import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { packageVersion } from '../core/backend/packageVersion.ts';
import type { MachineInfo, Versions } from './benchResults.ts';
import { PYTHON, runTorchChild } from './torchChild.ts';

/** Environment variables that change how the numeric libraries behave. */
const RELEVANT_ENV = [
  'OPENBLAS_CORETYPE',
  'OMP_NUM_THREADS',
  'MKL_NUM_THREADS',
  'UV_THREADPOOL_SIZE',
  'NODE_OPTIONS',
];

export function machineInfo(): MachineInfo {
  const env: Record<string, string> = {};
  for (const name of RELEVANT_ENV) {
    const v = process.env[name];
    if (v !== undefined) env[name] = v;
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: platform(),
    release: release(),
    loadAverageStart: loadavg(),
    loadAverageEnd: loadavg(),
    env,
    ...autogroup(),
  };
}

function autogroup(): { schedAutogroup?: boolean } {
  try {
    return {
      schedAutogroup: readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1',
    };
  } catch {
    return {};
  }
}

/** Versions of everything measured; torch's from the same script the benchmark runs. */
export async function versions(): Promise<Versions> {
  let torch = 'not installed';
  let python = existsSync(PYTHON) ? 'unknown' : 'not installed';
  if (existsSync(PYTHON)) {
    const script = fileURLToPath(new URL('./torch_train.py', import.meta.url));
    const out = await runTorchChild<{ torch?: string; python?: string; skipped?: string }>(
      script,
      ['--model', 'mlp', '--version'],
      { timeoutMs: 60_000 },
    );
    if (out.result?.torch) torch = out.result.torch;
    else if (out.result?.skipped) torch = `not available (${out.result.skipped})`;
    if (out.result?.python) python = out.result.python;
  }
  return {
    node: process.version,
    tfjs: packageVersion('@tensorflow/tfjs'),
    tfjsBackendWasm: packageVersion('@tensorflow/tfjs-backend-wasm'),
    torch,
    python,
  };
}
