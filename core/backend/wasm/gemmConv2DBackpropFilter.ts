import { Conv2DBackpropFilter } from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { chunkPixels, conv2DGeometry, walkGeometry } from './conv2DGeometry.ts';
import { chorusWasm } from './simd/chorusWasm.ts';
import { gemm } from './simd/gemm.ts';

/** The GEMM's k-block; column chunks are whole blocks so no chunk ends in a short one. */
const K_BLOCK = 256;

/**
 * `Conv2DBackpropFilter` (NHWC) as im2col + Chorus' GEMM, accumulated over chunks of output pixels:
 * dW[(kh, kw, ci), co] += cols[p, (kh, kw, ci)]^T dy[p, co]. The columns are read transposed in place
 * (no transpose copy) and each chunk stays in cache. NCHW and dtypes other than float32 go to `fallback`.
 */
export function gemmConv2DBackpropFilterConfig(fallback: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = chorusWasm(backend as BackendWasm);
    const { x, dy } = inputs;
    const a = attrs as unknown as Conv2DBackpropFilterAttrs;
    if (
      wasm === undefined ||
      x === undefined ||
      dy === undefined ||
      x.dtype !== 'float32' ||
      dy.dtype !== 'float32' ||
      (a.dataFormat !== undefined && a.dataFormat !== 'NHWC')
    ) {
      return fallback.kernelFunc(args);
    }
    const g = conv2DGeometry(Conv2DBackpropFilter, x.shape, a.filterShape, dy.shape, a);
    const rows = g.filterHeight * g.filterWidth * g.inChannels;
    const pixels = g.batch * g.outHeight * g.outWidth;
    const out = wasm.backend.makeOutput([...a.filterShape], 'float32');
    const outPointer = wasm.pointer(out);
    if (pixels === 0) {
      wasm.backend.typedArrayFromHeap(out).fill(0);
      return out;
    }
    const step = Math.max(K_BLOCK, Math.floor(chunkPixels(rows) / K_BLOCK) * K_BLOCK);
    // 16 bytes of slack: im2col may write a few floats past the last row.
    const columns = wasm.scratch('kernel', Math.min(step, pixels) * rows * 4 + 16);
    const xPointer = wasm.pointer(x);
    const dyPointer = wasm.pointer(dy);
    for (let p0 = 0; p0 < pixels; p0 += step) {
      const count = Math.min(step, pixels - p0);
      wasm.exports.im2col(xPointer, columns, p0, count, ...walkGeometry(g));
      gemm(
        wasm,
        { pointer: columns, rowStride: 1, colStride: rows },
        { pointer: dyPointer + p0 * g.outChannels * 4, rowStride: g.outChannels, colStride: 1 },
        outPointer,
        rows,
        g.outChannels,
        count,
        p0 > 0,
      );
    }
    return out;
  };
  return { kernelName: Conv2DBackpropFilter, backendName: 'wasm', kernelFunc };
}
