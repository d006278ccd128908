import { backend_util } from '@tensorflow/tfjs';
import type { DepthwiseConv2dNativeBackpropFilterAttrs } from '@tensorflow/tfjs';

/** Geometry of one NHWC depthwise convolution (channel multiplier `multiplier`), dilation 1. */
export interface DepthwiseGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  multiplier: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/** Conv geometry for the depthwise gradient kernels; refuses dilations, which tfjs' gradient refuses too. */
export function depthwiseGeometry(
  kernel: string,
  inShape: readonly number[],
  filterShape: readonly number[],
  dyShape: readonly number[],
  attrs: Pick<DepthwiseConv2dNativeBackpropFilterAttrs, 'strides' | 'dilations' | 'pad' | 'dimRoundingMode'>,
): DepthwiseGeometry {
  if (inShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`${kernel} needs rank-4 input and filter, got [${inShape}] and [${filterShape}]`);
  }
  const info = backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error(
      `${kernel} on wasm supports dilations 1 only, got [${info.dilationHeight}, ${info.dilationWidth}]`,
    );
  }
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
    multiplier: info.outChannels / info.inChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}
