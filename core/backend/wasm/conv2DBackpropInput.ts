import { Conv2DBackpropInput } from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { DEFAULT_MAX_COLUMN_FLOATS, imagesPerSlice } from './columnBudget.ts';
import { conv2DGeometry } from './conv2DGeometry.ts';
import type { ConvGeometry } from './conv2DGeometry.ts';
import { heapFloats } from './heapFloats.ts';

/**
 * (The fallback of gemmConv2DBackpropInput.ts where Chorus' SIMD module cannot bind.)
 * Replaces the stock wasm `Conv2DBackpropInput` for NHWC, whose direct loop was the slowest kernel of a
 * CNN training step (~10x slower than this). One XNNPACK matmul G = dy[b*oh*ow, co] @ W[fh*fw*ci, co]^T
 * gives every input-pixel contribution; col2im then adds G's rows into dx:
 * dx[b, oh*sh+kh-top, ow*sw+kw-left, :] += G[(b,oh,ow), (kh,kw,:)]. NCHW goes to the stock kernel.
 * `matMul` is a wasm BatchMatMul kernel that handles transposeB quickly.
 */
export function conv2DBackpropInputConfig(
  stock: KernelConfig,
  matMul: KernelFunc,
  maxColumnFloats = DEFAULT_MAX_COLUMN_FLOATS,
): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const a = attrs as unknown as Conv2DBackpropInputAttrs;
    if (a.dataFormat === 'NCHW') return stock.kernelFunc(args);
    const wasm = backend as BackendWasm;
    const { dy, filter } = inputs;
    if (dy === undefined || filter === undefined)
      throw new Error('Conv2DBackpropInput needs inputs dy and filter');
    const g = conv2DGeometry(Conv2DBackpropInput, a.inputShape, filter.shape, dy.shape, a);
    const columns = g.filterHeight * g.filterWidth * g.inChannels;
    const pixels = g.outHeight * g.outWidth;
    const perSlice = imagesPerSlice(columns * pixels, maxColumnFloats);
    const weights: TensorInfo = { dataId: filter.dataId, shape: [columns, g.outChannels], dtype: 'float32' };

    const out = wasm.makeOutput([...a.inputShape], 'float32');
    heapFloats(wasm, out).fill(0);
    try {
      for (let first = 0; first < g.batch; first += perSlice) {
        const count = Math.min(perSlice, g.batch - first);
        let dySlice: TensorInfo | undefined;
        let contributions: TensorInfo | undefined;
        try {
          let rows: TensorInfo = {
            dataId: dy.dataId,
            shape: [count * pixels, g.outChannels],
            dtype: 'float32',
          };
          if (count < g.batch) {
            dySlice = wasm.makeOutput([count * pixels, g.outChannels], 'float32');
            const sliceSize = pixels * g.outChannels;
            heapFloats(wasm, dySlice).set(
              heapFloats(wasm, dy).subarray(first * sliceSize, (first + count) * sliceSize),
            );
            rows = dySlice;
          }
          const product = matMul({
            inputs: { a: rows, b: weights },
            backend,
            attrs: { transposeA: false, transposeB: true },
          });
          if (Array.isArray(product)) throw new Error('BatchMatMul returned several tensors');
          contributions = product;
          addColumnsToImage(heapFloats(wasm, out), heapFloats(wasm, contributions), g, first, count);
        } finally {
          if (dySlice !== undefined) wasm.disposeData(dySlice.dataId);
          if (contributions !== undefined) wasm.disposeData(contributions.dataId);
        }
      }
    } catch (error) {
      wasm.disposeData(out.dataId);
      throw error;
    }
    return out;
  };
  return { ...stock, kernelFunc };
}

/** col2im: adds cols[(b,oh,ow), (kh*fw + kw)*ci + c] into dx[b, oh*sh+kh-top, ow*sw+kw-left, c]. */
function addColumnsToImage(
  dx: Float32Array,
  cols: Float32Array,
  g: ConvGeometry,
  first: number,
  count: number,
): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = g;
  const { strideHeight, strideWidth, padTop, padLeft } = g;
  const tapSize = filterWidth * inChannels;
  let row = 0;
  for (let b = first; b < first + count; b++) {
    const imageBase = b * inHeight * inWidth * inChannels;
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const rowBase = row * filterHeight * tapSize;
        row++;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight + kh - padTop;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth + kw - padLeft;
            if (iw < 0 || iw >= inWidth) continue;
            const d = imageBase + (ih * inWidth + iw) * inChannels;
            const s = rowBase + kh * tapSize + kw * inChannels;
            for (let c = 0; c < inChannels; c++) dx[d + c] = (dx[d + c] as number) + (cols[s + c] as number);
          }
        }
      }
    }
  }
}
