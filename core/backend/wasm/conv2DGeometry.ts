import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs';

/** Geometry of one NHWC convolution with dilation 1, as the gradient kernels need it. */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/** Computes and checks the geometry; `dyShape` must be the convolution's output shape. */
export function conv2DGeometry(
  kernel: string,
  inShape: readonly number[],
  filterShape: readonly number[],
  dyShape: readonly number[],
  attrs: Pick<Conv2DBackpropFilterAttrs, 'strides' | 'pad' | 'dimRoundingMode'>,
): ConvGeometry {
  if (inShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`${kernel} needs a rank-4 input and filter, got [${inShape}] and [${filterShape}]`);
  }
  const info = backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const expectedDy = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dyShape.length !== 4 || dyShape.some((d, i) => d !== expectedDy[i])) {
    throw new Error(`${kernel}: dy has shape [${dyShape}], expected [${expectedDy}]`);
  }
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}
