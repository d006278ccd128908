import type { Conv2DAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { chunkPixels, conv2DGeometry, walkGeometry } from './conv2DGeometry.ts';
import { chorusWasm } from './simd/chorusWasm.ts';
import { gemm } from './simd/gemm.ts';

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/**
 * `Conv2D` / `FusedConv2D` (NHWC, dilation 1, linear or relu, per-channel bias) as im2col + Chorus' GEMM,
 * in chunks of output pixels that stay in cache: out[p, co] = cols[p, (kh, kw, ci)] W[(kh, kw, ci), co].
 * A 1x1, stride-1, unpadded convolution multiplies the input directly. The stock kernel (XNNPACK) is
 * kept for everything else.
 */
export function gemmConv2DConfig(fallback: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = chorusWasm(backend as BackendWasm);
    const { x, filter } = inputs;
    if (wasm === undefined || x === undefined || filter === undefined) return fallback.kernelFunc(args);
    const a = attrs as unknown as Conv2DAttrs & { activation?: string };
    const bias = inputs['bias'];
    const activation = a.activation ?? 'linear';
    const dilations = a.dilations ?? 1;
    const supported =
      x.dtype === 'float32' &&
      filter.dtype === 'float32' &&
      x.shape.length === 4 &&
      filter.shape.length === 4 &&
      (a.dataFormat === undefined || a.dataFormat === 'NHWC') &&
      (dilations === 1 || (Array.isArray(dilations) && dilations.every((d) => d === 1))) &&
      (activation === 'linear' || activation === 'relu') &&
      inputs['preluActivationWeights'] === undefined &&
      (bias === undefined || (bias.dtype === 'float32' && product(bias.shape) === filter.shape[3]));
    if (!supported) return fallback.kernelFunc(args);

    const g = conv2DGeometry('Conv2D', x.shape, filter.shape, undefined, a);
    const out = wasm.backend.makeOutput([g.batch, g.outHeight, g.outWidth, g.outChannels], 'float32');
    const pixels = g.batch * g.outHeight * g.outWidth;
    const rows = g.filterHeight * g.filterWidth * g.inChannels;
    const outPointer = wasm.pointer(out);
    const xPointer = wasm.pointer(x);
    const wPointer = wasm.pointer(filter);
    const biasPointer = bias === undefined ? 0 : wasm.pointer(bias as TensorInfo);
    const relu = activation === 'relu' ? 1 : 0;
    const weights = { pointer: wPointer, rowStride: g.outChannels, colStride: 1 };
    const pointwise =
      g.filterHeight === 1 &&
      g.filterWidth === 1 &&
      g.strideHeight === 1 &&
      g.strideWidth === 1 &&
      g.padTop === 0 &&
      g.padLeft === 0;
    const step = pointwise ? pixels : chunkPixels(rows);
    // 16 bytes of slack: im2col may write a few floats past the last row.
    const columns = pointwise ? 0 : wasm.scratch('kernel', Math.min(step, pixels) * rows * 4 + 16);
    for (let p0 = 0; p0 < pixels; p0 += step) {
      const count = Math.min(step, pixels - p0);
      const target = outPointer + p0 * g.outChannels * 4;
      if (pointwise) {
        gemm(
          wasm,
          { pointer: xPointer, rowStride: rows, colStride: 1 },
          weights,
          target,
          count,
          g.outChannels,
          rows,
        );
      } else {
        wasm.exports.im2col(xPointer, columns, p0, count, ...walkGeometry(g));
        gemm(
          wasm,
          { pointer: columns, rowStride: rows, colStride: 1 },
          weights,
          target,
          count,
          g.outChannels,
          rows,
        );
      }
      if (biasPointer !== 0 || relu === 1) {
        wasm.exports.bias_act(target, target, count, g.outChannels, biasPointer, relu);
      }
    }
    return out;
  };
  return { ...fallback, kernelFunc };
}
