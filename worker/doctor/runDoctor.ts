import type { BackendChoice } from '../../core/backend/backendChoice.ts';
import { selectBackend, type SelectBackendOptions } from '../../core/backend/selectBackend.ts';
import { relaxedSimdEnabled } from '../../core/backend/wasm/simd/relaxedSimd.ts';
import { linkerLibraries, NATIVE_LIBRARIES, nvidiaGpus, type GpuInfo } from './systemProbes.ts';
import { wasmFeatures } from './wasmFeatures.ts';

/** One line of `chorus doctor`: a finding, and whether it is a problem. */
export interface DoctorCheck {
  /** What was checked, e.g. `backend tensorflow-gpu`. */
  name: string;
  /** `ok`: works; `missing`: not there (fine unless asked for); `fail`: broken or refused. */
  status: 'ok' | 'missing' | 'fail' | 'info';
  detail: string;
}

export interface DoctorOptions {
  /** The backend the user means to run (default `auto`): the doctor fails when it cannot start. */
  backend?: BackendChoice;
  /** Loads a package by name (tests stand in for the native packages); default `import`. */
  importModule?: SelectBackendOptions['importModule'];
  /** Replaces the system programs (tests); default: run ldconfig and nvidia-smi from PATH. */
  system?: {
    libraries?: () => Promise<Set<string> | undefined>;
    gpus?: () => Promise<{ gpus: GpuInfo[] } | { missing: string }>;
  };
  /** Connection checks (NATS and the coordinator), each resolving with a detail or rejecting with why. */
  connections?: { name: string; check: () => Promise<string> }[];
}

export interface DoctorResult {
  checks: DoctorCheck[];
  /** The backend asked for started here (`auto`: one of them did), and every connection check passed. */
  ok: boolean;
  /** What the asked backend resolved to, when it started. */
  backend?: string;
}

const ORDER: readonly Exclude<BackendChoice, 'auto'>[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/**
 * `chorus doctor`: which backends start on this machine and why the others do not (package missing;
 * libtensorflow, CUDA or cuDNN libraries unknown to the linker; no driver), the GPUs, the wasm SIMD
 * state, and, when asked, whether NATS and the coordinator accept this machine's login and token.
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorResult> {
  const asked = options.backend ?? 'auto';
  const checks: DoctorCheck[] = [];
  const libraries = await (options.system?.libraries ?? linkerLibraries)();
  const gpus = await (options.system?.gpus ?? nvidiaGpus)();

  const started = new Map<string, string>();
  for (const choice of ORDER) {
    try {
      const info = await selectBackend(choice, {
        ...(options.importModule ? { importModule: options.importModule } : {}),
      });
      started.set(choice, info.name);
      checks.push({ name: `backend ${choice}`, status: 'ok', detail: `${info.package} ${info.version}` });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const notInstalled = / needs @tensorflow\//.test(message);
      checks.push({
        name: `backend ${choice}`,
        status: notInstalled ? 'missing' : 'fail',
        // An installed GPU package that fails to load most often lacks CUDA or cuDNN libraries.
        detail: message + (choice === 'tensorflow-gpu' && !notInstalled ? cudaHint(libraries) : ''),
      });
    }
  }
  checks.push(...libraryChecks(libraries));
  if ('gpus' in gpus) {
    checks.push({
      name: 'GPUs',
      status: gpus.gpus.length > 0 ? 'ok' : 'missing',
      detail:
        gpus.gpus.length === 0
          ? 'nvidia-smi lists none'
          : gpus.gpus.map((g) => `${g.index}: ${g.name}, ${g.memoryMiB} MiB, driver ${g.driver}`).join('; '),
    });
  } else checks.push({ name: 'GPUs', status: 'missing', detail: gpus.missing });
  const wasm = wasmFeatures();
  checks.push({
    name: 'wasm SIMD',
    status: wasm.simd ? 'ok' : 'missing',
    detail: wasm.simd
      ? 'on (the wasm backend loads its SIMD build)'
      : 'off: the wasm backend runs its plain build, ~3x slower',
  });
  const fma = relaxedSimdEnabled();
  checks.push({
    name: 'wasm relaxed SIMD',
    status: fma ? 'ok' : 'missing',
    detail: fma
      ? `on${wasm.relaxedSimd ? '' : ' (switched on by Chorus: off by default in this Node)'}: Chorus' GEMM uses fused multiply-adds`
      : "off: Chorus' GEMM multiplies and adds separately (CHORUS_WASM_FMA=0, or the engine lacks it)",
  });

  let connectionsOk = true;
  for (const connection of options.connections ?? []) {
    try {
      checks.push({ name: connection.name, status: 'ok', detail: await connection.check() });
    } catch (err) {
      connectionsOk = false;
      checks.push({
        name: connection.name,
        status: 'fail',
        detail: err instanceof Error ? err.message : String(err),
      });
    }
  }

  const backend =
    asked === 'auto' ? ORDER.map((c) => started.get(c)).find((b) => b !== undefined) : started.get(asked);
  if (backend === undefined) {
    checks.push({
      name: `asked backend ${asked}`,
      status: 'fail',
      detail: asked === 'auto' ? 'no backend starts here' : `'${asked}' cannot start here (see above)`,
    });
  } else {
    checks.push({ name: `asked backend ${asked}`, status: 'ok', detail: `starts here as '${backend}'` });
  }
  return { checks, ok: backend !== undefined && connectionsOk, ...(backend ? { backend } : {}) };
}

function cudaHint(libraries: Set<string> | undefined): string {
  const missing = NATIVE_LIBRARIES['tensorflow-gpu'].filter((lib) => !libraries?.has(lib));
  return libraries === undefined || missing.length === 0
    ? ''
    : `; the linker knows none of ${missing.join(', ')}`;
}

/** tfjs-node-gpu brings libtensorflow in its package folder, but needs CUDA and cuDNN from the system. */
function libraryChecks(libraries: Set<string> | undefined): DoctorCheck[] {
  const name = 'CUDA 11 / cuDNN 8 libraries';
  if (libraries === undefined) {
    return [{ name, status: 'info', detail: 'ldconfig could not be run: libraries not checked' }];
  }
  const wanted = NATIVE_LIBRARIES['tensorflow-gpu'];
  const missing = wanted.filter((lib) => !libraries.has(lib));
  return [
    {
      name,
      status: missing.length === 0 ? 'ok' : 'missing',
      detail:
        missing.length === 0
          ? `found by ldconfig: ${wanted.join(', ')}`
          : `not found by ldconfig: ${missing.join(', ')} (tensorflow-gpu needs them)`,
    },
  ];
}
