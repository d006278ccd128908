/**
 * Largest im2col / col2im buffer (in floats, 32 MiB) the conv gradient kernels build at once; bigger
 * batches are done in slices of images, so a large conv does not grow the wasm heap by hundreds of MiB.
 */
export const DEFAULT_MAX_COLUMN_FLOATS = 1 << 23;

/** How many images fit in one slice when each needs `floatsPerImage` column floats (at least one). */
export function imagesPerSlice(floatsPerImage: number, maxColumnFloats: number): number {
  return Math.max(1, Math.floor(maxColumnFloats / Math.max(1, floatsPerImage)));
}
