import v8 from 'node:v8';
import { ModuleBuilder } from './moduleBuilder.ts';

/** The parts of the WebAssembly JS API used here (the DOM lib that declares them is not loaded). */
interface WebAssemblyValidate {
  validate(bytes: Uint8Array): boolean;
}

const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyValidate }).WebAssembly;

/** A module with one function using f32x4.relaxed_madd: validates only where relaxed SIMD is on. */
function probe(): Uint8Array {
  const mod = new ModuleBuilder();
  const f = mod.declare('madd', ['v128', 'v128', 'v128'], ['v128']);
  f.get(f.param(0)).get(f.param(1)).get(f.param(2)).vRelaxedMadd();
  return mod.bytes();
}

/** Environment variable that turns the fused multiply-adds off (`0`), e.g. for bit-for-bit comparisons. */
export const FMA_ENV = 'CHORUS_WASM_FMA';

let decided: boolean | undefined;

/**
 * Whether Chorus' GEMM may use relaxed-SIMD multiply-adds. V8 has relaxed SIMD on by default from 11.4;
 * Node 20's V8 11.3 has it behind `--experimental-wasm-relaxed-simd`, which is switched on here (it only
 * lets the wasm decoder accept the extra opcodes, for modules compiled from then on). Off when
 * CHORUS_WASM_FMA=0, or when the engine does not validate the probe even then. On one machine the
 * results are deterministic; a CPU without FMA (pre-2013 x86) would round products twice instead.
 */
export function relaxedSimdEnabled(): boolean {
  if (decided !== undefined) return decided;
  decided = false;
  if (process.env[FMA_ENV] === '0') return decided;
  const bytes = probe();
  if (!wasmApi.validate(bytes)) {
    try {
      v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      return decided;
    }
  }
  decided = wasmApi.validate(bytes);
  return decided;
}
