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

/** Computes and checks the geometry; `dyShape`, when given, must be the convolution's output shape. */
export function conv2DGeometry(
  kernel: string,
  inShape: readonly number[],
  filterShape: readonly number[],
  dyShape: readonly number[] | undefined,
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
  if (dyShape !== undefined && (dyShape.length !== 4 || dyShape.some((d, i) => d !== expectedDy[i]))) {
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

/** The geometry arguments of the wasm im2col / col2im walks after (image, columns, first pixel, count). */
export function walkGeometry(
  g: ConvGeometry,
): [number, number, number, number, number, number, number, number, number, number, number] {
  return [
    g.inHeight,
    g.inWidth,
    g.inChannels,
    g.outHeight,
    g.outWidth,
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    g.padTop,
    g.padLeft,
  ];
}

/** Column rows per chunk of an im2col walk: about 256 KiB of columns, so a chunk stays in L2. */
export function chunkPixels(columnsPerPixel: number): number {
  return Math.max(64, Math.floor(65536 / Math.max(1, columnsPerPixel)));
}
