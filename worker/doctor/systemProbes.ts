import { execFile } from 'node:child_process';

/**
 * What `chorus doctor` reads from the system: the shared libraries the dynamic linker knows
 * (`ldconfig -p`) and the GPUs and driver `nvidia-smi` reports. Both programs are looked up on PATH
 * (ldconfig also in /sbin and /usr/sbin, where Debian keeps it); a missing program is a finding, not
 * an error.
 */

/** System libraries tfjs-node-gpu 4.x loads (libtensorflow 2.9 comes in its package): CUDA 11 and cuDNN 8. */
export const NATIVE_LIBRARIES = {
  'tensorflow-gpu': [
    'libcudart.so.11.0',
    'libcublas.so.11',
    'libcublasLt.so.11',
    'libcufft.so.10',
    'libcurand.so.10',
    'libcusolver.so.11',
    'libcusparse.so.11',
    'libcudnn.so.8',
  ],
} as const;

export interface GpuInfo {
  index: number;
  name: string;
  driver: string;
  memoryMiB: number;
}

type Run = (file: string, args: string[]) => Promise<string>;

const run: Run = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 10_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });

/** The library names `ldconfig -p` lists, or undefined when ldconfig cannot be run. */
export async function linkerLibraries(exec: Run = run): Promise<Set<string> | undefined> {
  for (const file of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    try {
      return parseLdconfig(await exec(file, ['-p']));
    } catch {
      // Not here: try the next place.
    }
  }
  return undefined;
}

/** `\tlibcudart.so.11.0 (libc6,x86-64) => /usr/lib/...` lines → the library names. */
export function parseLdconfig(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^\s+(\S+)\s+\(/.exec(line);
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}

/** The GPUs `nvidia-smi` lists, or why there are none to list. */
export async function nvidiaGpus(exec: Run = run): Promise<{ gpus: GpuInfo[] } | { missing: string }> {
  let text: string;
  try {
    text = await exec('nvidia-smi', [
      '--query-gpu=index,name,driver_version,memory.total',
      '--format=csv,noheader,nounits',
    ]);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return {
      missing:
        code === 'ENOENT'
          ? 'nvidia-smi not found (no NVIDIA driver here)'
          : `nvidia-smi failed: ${(err as Error).message.split('\n')[0]}`,
    };
  }
  return { gpus: parseNvidiaSmi(text) };
}

/** `0, NVIDIA A10G, 535.104.05, 23028` lines → GpuInfo. */
export function parseNvidiaSmi(text: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of text.split('\n')) {
    const parts = line.split(',').map((p) => p.trim());
    if (parts.length < 4 || !/^\d+$/.test(parts[0]!)) continue;
    gpus.push({
      index: Number(parts[0]),
      name: parts[1]!,
      driver: parts[2]!,
      memoryMiB: Number(parts[3]),
    });
  }
  return gpus;
}
