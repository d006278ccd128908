import v8 from 'node:v8';

/** The parts of the WebAssembly JS API used here (the DOM lib that declares them is not loaded). */
interface WebAssemblyValidate {
  validate(bytes: Uint8Array): boolean;
}

const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyValidate }).WebAssembly;

/** A module with one function using f32x4.relaxed_madd: validates only where relaxed SIMD is on. */
const PROBE = Uint8Array.from([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version
  0x01,
  0x08,
  0x01,
  0x60,
  0x03,
  0x7b,
  0x7b,
  0x7b,
  0x01,
  0x7b, // type: (v128 v128 v128) -> v128
  0x03,
  0x02,
  0x01,
  0x00, // one function of that type
  0x0a,
  0x0d,
  0x01,
  0x0b,
  0x00,
  0x20,
  0x00,
  0x20,
  0x01,
  0x20,
  0x02,
  0xfd,
  0x85,
  0x02,
  0x0b, // body
]);

/** Environment variable that turns the fused multiply-adds off (`0`), e.g. for bit-for-bit comparisons. */
export const FMA_ENV = 'CHORUS_WASM_FMA';

let decided: boolean | undefined;

/**
 * Whether Chorus' GEMM may use relaxed-SIMD multiply-adds. Node 22+ has relaxed SIMD on; Node 20 has the
 * same implementation behind `--experimental-wasm-relaxed-simd`, which is switched on here (it only lets
 * the wasm decoder accept the extra opcodes, for modules compiled from now on). Off when
 * CHORUS_WASM_FMA=0, or when the engine does not validate the probe even then.
 */
export function relaxedSimdEnabled(): boolean {
  if (decided !== undefined) return decided;
  decided = false;
  if (process.env[FMA_ENV] === '0') return decided;
  if (!wasmApi.validate(PROBE)) {
    try {
      v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      return decided;
    }
  }
  decided = wasmApi.validate(PROBE);
  return decided;
}
