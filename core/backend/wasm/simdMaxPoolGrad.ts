import { backend_util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { chorusWasm } from './simd/chorusWasm.ts';

/**
 * `MaxPoolGrad` in Chorus' wasm module, four channels per SIMD step (see poolCode.ts): the first maximum
 * of each window (row-major, as on cpu) gets dy. Channel counts that are not a multiple of 4, and other
 * dtypes, go to `fallback`.
 */
export function simdMaxPoolGradConfig(fallback: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = chorusWasm(backend as BackendWasm);
    const { dy, input } = inputs;
    if (
      wasm === undefined ||
      dy === undefined ||
      input === undefined ||
      dy.dtype !== 'float32' ||
      input.dtype !== 'float32' ||
      input.shape.length !== 4 ||
      (input.shape[3] ?? 0) % 4 !== 0
    ) {
      return fallback.kernelFunc(args);
    }
    const a = attrs as unknown as MaxPoolGradAttrs;
    const info = backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    if (dy.shape.some((d, i) => d !== info.outShape[i])) {
      throw new Error(`MaxPoolGrad: dy has shape [${dy.shape}], expected [${info.outShape}]`);
    }
    const out = wasm.backend.makeOutput([...input.shape], 'float32');
    // Windows that tile the input exactly write every pixel of dx; otherwise start from zeros.
    const tiles =
      info.filterHeight === info.strideHeight &&
      info.filterWidth === info.strideWidth &&
      info.padInfo.top === 0 &&
      info.padInfo.left === 0 &&
      info.outHeight * info.strideHeight === info.inHeight &&
      info.outWidth * info.strideWidth === info.inWidth;
    if (!tiles) wasm.backend.typedArrayFromHeap(out).fill(0);
    wasm.exports.max_pool_grad(
      wasm.pointer(input),
      wasm.pointer(dy),
      wasm.pointer(out),
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
      info.filterHeight,
      info.filterWidth,
      info.strideHeight,
      info.strideWidth,
      info.padInfo.top,
      info.padInfo.left,
    );
    return out;
  };
  return { ...fallback, kernelFunc };
}
