/** The parts of the WebAssembly JS API used here (the DOM lib that declares them is not loaded). */
const wasmApi = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } })
  .WebAssembly;

// One function returning v128 from `i32.const 0; i8x16.splat; i8x16.popcnt` (SIMD), and one using
// `i8x16.relaxed_swizzle` (relaxed SIMD): the probes of wasm-feature-detect.
const SIMD = [
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98,
  11,
];
const RELAXED_SIMD = [
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2,
  253, 15, 253, 128, 2, 11,
];

/** Whether this engine accepts wasm SIMD and relaxed SIMD now (Chorus switches relaxed SIMD on when it can). */
export function wasmFeatures(): { simd: boolean; relaxedSimd: boolean } {
  return {
    simd: wasmApi.validate(new Uint8Array(SIMD)),
    relaxedSimd: wasmApi.validate(new Uint8Array(RELAXED_SIMD)),
  };
}
