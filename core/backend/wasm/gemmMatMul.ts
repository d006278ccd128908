import { broadcast_util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { chorusWasm } from './simd/chorusWasm.ts';
import { gemm, type HeapMatrix } from './simd/gemm.ts';

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/**
 * `BatchMatMul` / `_FusedMatMul` on Chorus' SIMD GEMM: transposed operands are read in place through
 * strides, batches pair matrix by matrix (or share a single matrix), and a per-column bias and relu run
 * over the result. Nothing is cached by tensor id, so weights that change every training step cost no
 * re-packing (the stock XNNPACK path re-packs them on every call, 2-3 ms for a 784x256 layer). Anything
 * else (other dtypes or activations, PReLU, other bias shapes or batch broadcasts) goes to `fallback`.
 */
export function gemmMatMulConfig(fallback: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = chorusWasm(backend as BackendWasm);
    const { a, b } = inputs;
    if (wasm === undefined || a === undefined || b === undefined) return fallback.kernelFunc(args);
    const bias = inputs['bias'];
    const activation = (attrs?.['activation'] as string | undefined) ?? 'linear';
    const transposeA = attrs?.['transposeA'] === true;
    const transposeB = attrs?.['transposeB'] === true;
    const batchA = product(a.shape.slice(0, -2));
    const batchB = product(b.shape.slice(0, -2));
    const m = transposeA ? (a.shape.at(-1) ?? 1) : (a.shape.at(-2) ?? 1);
    const k = transposeA ? (a.shape.at(-2) ?? 1) : (a.shape.at(-1) ?? 1);
    const kB = transposeB ? (b.shape.at(-1) ?? 1) : (b.shape.at(-2) ?? 1);
    const n = transposeB ? (b.shape.at(-2) ?? 1) : (b.shape.at(-1) ?? 1);
    const supported =
      a.dtype === 'float32' &&
      b.dtype === 'float32' &&
      a.shape.length >= 2 &&
      b.shape.length >= 2 &&
      k === kB &&
      (batchA === batchB || batchA === 1 || batchB === 1) &&
      (activation === 'linear' || activation === 'relu') &&
      inputs['preluActivationWeights'] === undefined &&
      (bias === undefined || (bias.dtype === 'float32' && product(bias.shape) === n));
    if (!supported) return fallback.kernelFunc(args);

    const outer = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const batch = Math.max(batchA, batchB);
    const out = wasm.backend.makeOutput([...outer, m, n], 'float32');
    const outPointer = wasm.pointer(out);
    const aPointer = wasm.pointer(a);
    const bPointer = wasm.pointer(b);
    for (let i = 0; i < batch; i++) {
      const left: HeapMatrix = {
        pointer: aPointer + (batchA === 1 ? 0 : i * m * k * 4),
        rowStride: transposeA ? 1 : k,
        colStride: transposeA ? m : 1,
      };
      const right: HeapMatrix = {
        pointer: bPointer + (batchB === 1 ? 0 : i * k * n * 4),
        rowStride: transposeB ? 1 : n,
        colStride: transposeB ? k : 1,
      };
      gemm(wasm, left, right, outPointer + i * m * n * 4, m, n, k);
    }
    if (bias !== undefined || activation === 'relu') {
      const biasPointer = bias === undefined ? 0 : wasm.pointer(bias as TensorInfo);
      wasm.exports.bias_act(outPointer, outPointer, batch * m, n, biasPointer, activation === 'relu' ? 1 : 0);
    }
    return out;
  };
  return { ...fallback, kernelFunc };
}
