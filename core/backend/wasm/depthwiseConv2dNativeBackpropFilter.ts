import { DepthwiseConv2dNativeBackpropFilter } from '@tensorflow/tfjs';
import type { DepthwiseConv2dNativeBackpropFilterAttrs, KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { depthwiseGeometry } from './depthwiseGeometry.ts';
import { heapFloats } from './heapFloats.ts';

/**
 * `DepthwiseConv2dNativeBackpropFilter` for wasm (missing from the stock backend):
 * dW[kh,kw,c,m] = sum over (b,oh,ow) of x[b, oh*sh+kh-top, ow*sw+kw-left, c] * dy[b,oh,ow,c*M+m].
 * A JS loop over heap views; as dW is laid out [kh,kw,c*M+m], each tap is one contiguous run of channels.
 * Sums in float64, like the cpu backend.
 */
export function depthwiseConv2dNativeBackpropFilterConfig(): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { x, dy } = inputs;
    if (x === undefined || dy === undefined) {
      throw new Error('DepthwiseConv2dNativeBackpropFilter needs inputs x and dy');
    }
    const a = attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
    const g = depthwiseGeometry(DepthwiseConv2dNativeBackpropFilter, x.shape, a.filterShape, dy.shape, a);
    const { inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, multiplier } = g;
    const { filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft } = g;

    const sum = new Float64Array(filterHeight * filterWidth * outChannels);
    const out = wasm.makeOutput([...a.filterShape], 'float32');
    const xs = heapFloats(wasm, x);
    const dys = heapFloats(wasm, dy);
    for (let b = 0; b < g.batch; b++) {
      for (let oh = 0; oh < outHeight; oh++) {
        for (let ow = 0; ow < outWidth; ow++) {
          const dyBase = ((b * outHeight + oh) * outWidth + ow) * outChannels;
          for (let kh = 0; kh < filterHeight; kh++) {
            const ih = oh * strideHeight + kh - padTop;
            if (ih < 0 || ih >= inHeight) continue;
            for (let kw = 0; kw < filterWidth; kw++) {
              const iw = ow * strideWidth + kw - padLeft;
              if (iw < 0 || iw >= inWidth) continue;
              const xBase = ((b * inHeight + ih) * inWidth + iw) * inChannels;
              const wBase = (kh * filterWidth + kw) * outChannels;
              if (multiplier === 1) {
                for (let c = 0; c < outChannels; c++) {
                  sum[wBase + c] =
                    (sum[wBase + c] as number) + (xs[xBase + c] as number) * (dys[dyBase + c] as number);
                }
              } else {
                for (let c = 0; c < inChannels; c++) {
                  const xv = xs[xBase + c] as number;
                  const first = c * multiplier;
                  for (let d = first; d < first + multiplier; d++) {
                    sum[wBase + d] = (sum[wBase + d] as number) + xv * (dys[dyBase + d] as number);
                  }
                }
              }
            }
          }
        }
      }
    }
    heapFloats(wasm, out).set(sum);
    return out;
  };
  return { kernelName: DepthwiseConv2dNativeBackpropFilter, backendName: 'wasm', kernelFunc };
}
