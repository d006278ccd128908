import { backend_util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats } from './heapFloats.ts';

/**
 * (The fallback of simdMaxPoolGrad.ts for channel counts that are not a multiple of 4.)
 * Replaces the stock wasm `MaxPoolGrad` (its per-element loop was the second slowest kernel of a CNN
 * training step): for each pooling window, finds the first maximum in row-major order (as the cpu backend
 * does, so ties go to the same pixel) for all channels at once, and adds dy there.
 */
export function maxPoolGradConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, input } = inputs;
    if (dy === undefined || input === undefined) throw new Error('MaxPoolGrad needs inputs dy and input');
    if (dy.dtype !== 'float32' || input.dtype !== 'float32') return stock.kernelFunc(args);
    const wasm = backend as BackendWasm;
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
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth } = info;
    const { filterHeight, filterWidth } = info;
    const { top, left } = info.padInfo;

    const out = wasm.makeOutput([...input.shape], 'float32');
    const dx = heapFloats(wasm, out);
    const xs = heapFloats(wasm, input);
    const dys = heapFloats(wasm, dy);
    dx.fill(0);
    const best = new Float64Array(inChannels);
    const where = new Int32Array(inChannels);
    let dyIndex = 0;
    for (let b = 0; b < batchSize; b++) {
      const imageBase = b * inHeight * inWidth * inChannels;
      for (let oh = 0; oh < outHeight; oh++) {
        const ihCorner = oh * strideHeight - top;
        const ihFrom = Math.max(0, ihCorner);
        const ihTo = Math.min(inHeight, ihCorner + filterHeight);
        for (let ow = 0; ow < outWidth; ow++) {
          const iwCorner = ow * strideWidth - left;
          const iwFrom = Math.max(0, iwCorner);
          const iwTo = Math.min(inWidth, iwCorner + filterWidth);
          best.fill(-Infinity);
          where.fill(-1);
          for (let ih = ihFrom; ih < ihTo; ih++) {
            for (let iw = iwFrom; iw < iwTo; iw++) {
              const base = imageBase + (ih * inWidth + iw) * inChannels;
              for (let c = 0; c < inChannels; c++) {
                const v = xs[base + c] as number;
                if (v > (best[c] as number)) {
                  best[c] = v;
                  where[c] = base + c;
                }
              }
            }
          }
          for (let c = 0; c < inChannels; c++, dyIndex++) {
            const at = where[c] as number;
            if (at >= 0) dx[at] = (dx[at] as number) + (dys[dyIndex] as number);
          }
        }
      }
    }
    return out;
  };
  return { ...stock, kernelFunc };
}
