import { util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, SumAttrs } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { chorusWasm } from './simd/chorusWasm.ts';

/**
 * `Sum` over leading axes (e.g. a bias gradient: a [batch, h, w, c] gradient summed to [c]) as SIMD column
 * sums, without the transpose the stock kernel makes first. Other axes and dtypes go to `stock`.
 */
export function columnSumConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = chorusWasm(backend as BackendWasm);
    const { x } = inputs;
    if (wasm === undefined || x === undefined || x.dtype !== 'float32' || x.shape.length === 0) {
      return stock.kernelFunc(args);
    }
    const a = attrs as unknown as SumAttrs;
    const axes = [...new Set(util.parseAxisParam(a.axis, x.shape))].sort((p, q) => p - q);
    // Only a leading run 0, 1, ..., r-1.
    if (axes.length === 0 || axes.some((axis, i) => axis !== i)) return stock.kernelFunc(args);
    const reduced = x.shape.slice(0, axes.length);
    const kept = x.shape.slice(axes.length);
    const rows = util.sizeFromShape(reduced);
    const cols = util.sizeFromShape(kept);
    const shape = a.keepDims ? [...reduced.map(() => 1), ...kept] : kept;
    const out = wasm.backend.makeOutput(shape, 'float32');
    const tmp = wasm.scratch('kernel', Math.max(1, cols) * 4);
    wasm.exports.column_sums(wasm.pointer(x), rows, cols, wasm.pointer(out), tmp);
    return out;
  };
  return { ...stock, kernelFunc };
}
