import { Conv2DBackpropInput } from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { chunkPixels, conv2DGeometry, walkGeometry } from './conv2DGeometry.ts';
import { chorusWasm } from './simd/chorusWasm.ts';
import { gemm } from './simd/gemm.ts';

/**
 * `Conv2DBackpropInput` (NHWC) as Chorus' GEMM + col2im, in chunks of output pixels:
 * G[p, (kh, kw, ci)] = dy[p, co] W[(kh, kw, ci), co]^T (W read transposed in place), then col2im adds G's
 * rows into dx. NCHW and dtypes other than float32 go to `fallback`.
 */
export function gemmConv2DBackpropInputConfig(fallback: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = chorusWasm(backend as BackendWasm);
    const { dy, filter } = inputs;
    const a = attrs as unknown as Conv2DBackpropInputAttrs;
    if (
      wasm === undefined ||
      dy === undefined ||
      filter === undefined ||
      dy.dtype !== 'float32' ||
      filter.dtype !== 'float32' ||
      (a.dataFormat !== undefined && a.dataFormat !== 'NHWC')
    ) {
      return fallback.kernelFunc(args);
    }
    const g = conv2DGeometry(Conv2DBackpropInput, a.inputShape, filter.shape, dy.shape, a);
    const columns = g.filterHeight * g.filterWidth * g.inChannels;
    const pixels = g.batch * g.outHeight * g.outWidth;
    const out = wasm.backend.makeOutput([...a.inputShape], 'float32');
    const step = chunkPixels(columns);
    const contributions = wasm.scratch('kernel', Math.max(1, Math.min(step, pixels) * columns) * 4);
    wasm.backend.typedArrayFromHeap(out).fill(0);
    const outPointer = wasm.pointer(out);
    const dyPointer = wasm.pointer(dy);
    const weightsT = { pointer: wasm.pointer(filter), rowStride: 1, colStride: g.outChannels };
    for (let p0 = 0; p0 < pixels; p0 += step) {
      const count = Math.min(step, pixels - p0);
      const rows = { pointer: dyPointer + p0 * g.outChannels * 4, rowStride: g.outChannels, colStride: 1 };
      gemm(wasm, rows, weightsT, contributions, count, columns, g.outChannels);
      wasm.exports.col2im_add(contributions, outPointer, p0, count, ...walkGeometry(g));
    }
    return out;
  };
  return { ...fallback, kernelFunc };
}
