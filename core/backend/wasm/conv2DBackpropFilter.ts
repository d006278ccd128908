import { Conv2DBackpropFilter } from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { DEFAULT_MAX_COLUMN_FLOATS, imagesPerSlice } from './columnBudget.ts';
import { conv2DGeometry } from './conv2DGeometry.ts';
import type { ConvGeometry } from './conv2DGeometry.ts';
import { heapFloats } from './heapFloats.ts';

/**
 * `Conv2DBackpropFilter` for wasm (the stock backend has none, so conv layers cannot train), on any
 * BatchMatMul kernel: the fallback of gemmConv2DBackpropFilter.ts where Chorus' SIMD module cannot bind.
 * dW[kh,kw,ci,co] = sum over (b,oh,ow) of x[b, oh*sh+kh-top, ow*sw+kw-left, ci] * dy[b,oh,ow,co].
 * Builds the transposed im2col matrix colsT [fh*fw*ci, b*oh*ow] straight on the wasm heap in JS, then one
 * untransposed (XNNPACK) matmul colsT @ dy[b*oh*ow, co] gives dW in its [fh,fw,ci,co] layout.
 * `matMul` is a wasm BatchMatMul kernel.
 */
export function conv2DBackpropFilterConfig(
  matMul: KernelFunc,
  maxColumnFloats = DEFAULT_MAX_COLUMN_FLOATS,
): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { x, dy } = inputs;
    if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter needs inputs x and dy');
    const a = attrs as unknown as Conv2DBackpropFilterAttrs;
    if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC') {
      throw new Error(`Conv2DBackpropFilter on wasm supports dataFormat NHWC only, got ${a.dataFormat}`);
    }
    const g = conv2DGeometry(Conv2DBackpropFilter, x.shape, a.filterShape, dy.shape, a);
    const rows = g.filterHeight * g.filterWidth * g.inChannels;
    const pixels = g.outHeight * g.outWidth;
    const perSlice = imagesPerSlice(rows * pixels, maxColumnFloats);
    const runMatMul = (left: TensorInfo, right: TensorInfo): TensorInfo => {
      const out = matMul({
        inputs: { a: left, b: right },
        backend,
        attrs: { transposeA: false, transposeB: false },
      });
      if (Array.isArray(out)) throw new Error('BatchMatMul returned several tensors');
      return out;
    };

    if (perSlice >= g.batch) {
      const cols = wasm.makeOutput([rows, g.batch * pixels], 'float32');
      try {
        fillColumnsTransposed(heapFloats(wasm, cols), heapFloats(wasm, x), g, 0, g.batch);
        const dy2d: TensorInfo = {
          dataId: dy.dataId,
          shape: [g.batch * pixels, g.outChannels],
          dtype: 'float32',
        };
        const out = runMatMul(cols, dy2d);
        return { dataId: out.dataId, shape: [...a.filterShape], dtype: 'float32' };
      } finally {
        wasm.disposeData(cols.dataId);
      }
    }

    // Large batch: slices of images, partial products summed in float64.
    const sum = new Float64Array(rows * g.outChannels);
    for (let first = 0; first < g.batch; first += perSlice) {
      const count = Math.min(perSlice, g.batch - first);
      const cols = wasm.makeOutput([rows, count * pixels], 'float32');
      const dySlice = wasm.makeOutput([count * pixels, g.outChannels], 'float32');
      let partial: TensorInfo | undefined;
      try {
        const sliceSize = pixels * g.outChannels;
        heapFloats(wasm, dySlice).set(
          heapFloats(wasm, dy).subarray(first * sliceSize, (first + count) * sliceSize),
        );
        fillColumnsTransposed(heapFloats(wasm, cols), heapFloats(wasm, x), g, first, count);
        partial = runMatMul(cols, dySlice);
        const values = heapFloats(wasm, partial);
        for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (values[i] as number);
      } finally {
        wasm.disposeData(cols.dataId);
        wasm.disposeData(dySlice.dataId);
        if (partial !== undefined) wasm.disposeData(partial.dataId);
      }
    }
    const out = wasm.makeOutput([...a.filterShape], 'float32');
    heapFloats(wasm, out).set(sum);
    return out;
  };
  return { kernelName: Conv2DBackpropFilter, backendName: 'wasm', kernelFunc };
}

/**
 * Writes colsT[(kh*fw + kw)*ci + c, p] = x[b, oh*sh+kh-top, ow*sw+kw-left, c] (0 in the padding) for the
 * images first..first+count-1, p running over (b, oh, ow). Rows are written sequentially.
 */
function fillColumnsTransposed(
  cols: Float32Array,
  xs: Float32Array,
  g: ConvGeometry,
  first: number,
  count: number,
): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = g;
  const { strideHeight, strideWidth, padTop, padLeft } = g;
  const imageSize = inHeight * inWidth * inChannels;
  const rowSize = inWidth * inChannels;
  const step = strideWidth * inChannels;
  let o = 0;
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      // Output columns whose input column lies inside the image.
      const owStart = Math.min(outWidth, Math.max(0, Math.ceil((padLeft - kw) / strideWidth)));
      const owEnd = Math.min(outWidth, Math.max(owStart, Math.ceil((inWidth + padLeft - kw) / strideWidth)));
      const colOffset = (owStart * strideWidth + kw - padLeft) * inChannels;
      for (let c = 0; c < inChannels; c++) {
        for (let b = first; b < first + count; b++) {
          const imageBase = b * imageSize + colOffset + c;
          for (let oh = 0; oh < outHeight; oh++) {
            const ih = oh * strideHeight + kh - padTop;
            if (ih < 0 || ih >= inHeight) {
              for (let ow = 0; ow < outWidth; ow++) cols[o++] = 0;
              continue;
            }
            for (let ow = 0; ow < owStart; ow++) cols[o++] = 0;
            let src = imageBase + ih * rowSize;
            for (let ow = owStart; ow < owEnd; ow++) {
              cols[o++] = xs[src] as number;
              src += step;
            }
            for (let ow = owEnd; ow < outWidth; ow++) cols[o++] = 0;
          }
        }
      }
    }
  }
}
