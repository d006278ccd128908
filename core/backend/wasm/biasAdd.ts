import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { chorusWasm } from './simd/chorusWasm.ts';

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/**
 * `Add` of a float32 tensor [..., n] and a bias of n values (shape [n], or [1, ..., n] of no higher rank),
 * the bias add of every dense and conv layer while training, as one SIMD pass. The stock broadcasting add
 * was ~10x slower on a [128, 26, 26, 16] activation. Every other add goes to `stock`.
 */
export function biasAddConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend } = args;
    const { a, b } = inputs;
    if (a === undefined || b === undefined || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return stock.kernelFunc(args);
    }
    const n = a.shape.at(-1) ?? 0;
    const isBias =
      a.shape.length >= 2 &&
      b.shape.length >= 1 &&
      b.shape.length <= a.shape.length &&
      b.shape.at(-1) === n &&
      product(b.shape) === n &&
      n > 0;
    const wasm = isBias ? chorusWasm(backend as BackendWasm) : undefined;
    if (wasm === undefined) return stock.kernelFunc(args);
    const out = wasm.backend.makeOutput([...a.shape], 'float32');
    wasm.exports.bias_act(wasm.pointer(a), wasm.pointer(out), product(a.shape) / n, n, wasm.pointer(b), 0);
    return out;
  };
  return { ...stock, kernelFunc };
}
