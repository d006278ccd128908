import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The folder holding the wasm binaries of @tensorflow/tfjs-backend-wasm. Its Node entry point lives in
 * `dist/`, next to the `.wasm` files; the emscripten loader would otherwise look in `dist/wasm-out/`.
 */
export function wasmDistDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
}
