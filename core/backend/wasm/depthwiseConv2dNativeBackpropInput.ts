import { DepthwiseConv2dNativeBackpropInput } from '@tensorflow/tfjs';
import type { DepthwiseConv2dNativeBackpropInputAttrs, KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { depthwiseGeometry } from './depthwiseGeometry.ts';
import { heapFloats } from './heapFloats.ts';

/**
 * `DepthwiseConv2dNativeBackpropInput` for wasm (missing from the stock backend):
 * dx[b,ih,iw,c] = sum over taps (kh,kw) and m of dy[b,oh,ow,c*M+m] * w[kh,kw,c,m], with ih = oh*sh+kh-top.
 * Gathers per input pixel into a float64 scratch row, so each dx element is written once.
 */
export function depthwiseConv2dNativeBackpropInputConfig(): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { dy, filter } = inputs;
    if (dy === undefined || filter === undefined) {
      throw new Error('DepthwiseConv2dNativeBackpropInput needs inputs dy and filter');
    }
    const a = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
    const g = depthwiseGeometry(DepthwiseConv2dNativeBackpropInput, a.inputShape, filter.shape, dy.shape, a);
    const { inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, multiplier } = g;
    const { filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft } = g;

    const out = wasm.makeOutput([...a.inputShape], 'float32');
    const dxs = heapFloats(wasm, out);
    const dys = heapFloats(wasm, dy);
    const ws = heapFloats(wasm, filter);
    const acc = new Float64Array(inChannels);
    let o = 0;
    for (let b = 0; b < g.batch; b++) {
      for (let ih = 0; ih < inHeight; ih++) {
        // Output rows oh whose tap kh = ih + top - oh*sh lies in [0, filterHeight).
        const ohFirst = Math.max(0, Math.ceil((ih + padTop - filterHeight + 1) / strideHeight));
        const ohLast = Math.min(outHeight - 1, Math.floor((ih + padTop) / strideHeight));
        for (let iw = 0; iw < inWidth; iw++) {
          const owFirst = Math.max(0, Math.ceil((iw + padLeft - filterWidth + 1) / strideWidth));
          const owLast = Math.min(outWidth - 1, Math.floor((iw + padLeft) / strideWidth));
          acc.fill(0);
          for (let oh = ohFirst; oh <= ohLast; oh++) {
            const kh = ih + padTop - oh * strideHeight;
            for (let ow = owFirst; ow <= owLast; ow++) {
              const kw = iw + padLeft - ow * strideWidth;
              const dyBase = ((b * outHeight + oh) * outWidth + ow) * outChannels;
              const wBase = (kh * filterWidth + kw) * outChannels;
              if (multiplier === 1) {
                for (let c = 0; c < inChannels; c++) {
                  acc[c] = (acc[c] as number) + (dys[dyBase + c] as number) * (ws[wBase + c] as number);
                }
              } else {
                for (let c = 0; c < inChannels; c++) {
                  let s = 0;
                  const first = c * multiplier;
                  for (let d = first; d < first + multiplier; d++) {
                    s += (dys[dyBase + d] as number) * (ws[wBase + d] as number);
                  }
                  acc[c] = (acc[c] as number) + s;
                }
              }
            }
          }
          for (let c = 0; c < inChannels; c++) dxs[o++] = acc[c] as number;
        }
      }
    }
    return out;
  };
  return { kernelName: DepthwiseConv2dNativeBackpropInput, backendName: 'wasm', kernelFunc };
}
