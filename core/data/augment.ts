import type { AugmentSettings } from '../spec/augment.ts';
import { imageShapeProblem } from '../spec/recipeProblems.ts';
import { NonRetryableError } from '../errors.ts';
import type { Rng } from './random.ts';

/** An image's geometry in a row-major [height, width, channels] sample. */
export interface ImageGeometry {
  height: number;
  width: number;
  channels: number;
}

/** [h, w] or [h, w, c] as geometry; a NonRetryableError naming `path` for any other shape. */
export function imageGeometry(sampleShape: readonly number[], path: string): ImageGeometry {
  const problem = imageShapeProblem(sampleShape);
  if (problem) throw new NonRetryableError(`${path}: ${problem}`);
  return { height: sampleShape[0]!, width: sampleShape[1]!, channels: sampleShape[2] ?? 1 };
}

/**
 * Augments the first `count` samples of a training batch in place, each in turn, drawing from `rng` in a
 * fixed order per sample (shift y, shift x, flip, cutout y, cutout x; only the draws its settings use),
 * so one seed gives one stream of views. The view of sample i is
 *   out(y, x) = src(y + dy, x' + dx), x' = width − 1 − x when flipped, else x,
 * zero outside the image (padding by `translate` and a random crop), then a `cutout`-sided square
 * zeroed around a random centre (it may reach past the border, as in DeVries & Taylor 2017).
 * One pass over each sample, plain loops: a few percent of a small CNN's step.
 */
export function augmentBatch(
  x: Float32Array,
  count: number,
  g: ImageGeometry,
  a: AugmentSettings,
  rng: Rng,
  scratch: Float32Array,
): void {
  const { height: h, width: w, channels: c } = g;
  const size = h * w * c;
  const rowLength = w * c;
  const span = 2 * a.translate + 1;
  for (let i = 0; i < count; i++) {
    const base = i * size;
    const dy = a.translate > 0 ? rng.nextInt(span) - a.translate : 0;
    const dx = a.translate > 0 ? rng.nextInt(span) - a.translate : 0;
    const flip = a.flip && rng.nextUint32() >= 0x80000000;
    if (dy !== 0 || dx !== 0 || flip) {
      scratch.set(x.subarray(base, base + size));
      for (let y = 0; y < h; y++) {
        const sy = y + dy;
        const outRow = base + y * rowLength;
        if (sy < 0 || sy >= h) {
          x.fill(0, outRow, outRow + rowLength);
          continue;
        }
        const srcRow = sy * rowLength;
        for (let col = 0; col < w; col++) {
          const sx = (flip ? w - 1 - col : col) + dx;
          const out = outRow + col * c;
          if (sx < 0 || sx >= w) {
            for (let k = 0; k < c; k++) x[out + k] = 0;
          } else {
            const src = srcRow + sx * c;
            for (let k = 0; k < c; k++) x[out + k] = scratch[src + k]!;
          }
        }
      }
    }
    if (a.cutout > 0) {
      const cy = rng.nextInt(h);
      const cx = rng.nextInt(w);
      const y0 = Math.max(0, cy - (a.cutout >> 1));
      const y1 = Math.min(h, cy - (a.cutout >> 1) + a.cutout);
      const x0 = Math.max(0, cx - (a.cutout >> 1));
      const x1 = Math.min(w, cx - (a.cutout >> 1) + a.cutout);
      for (let y = y0; y < y1; y++) x.fill(0, base + y * rowLength + x0 * c, base + y * rowLength + x1 * c);
    }
  }
}
