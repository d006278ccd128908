import type { Dataset } from './dataset.ts';

/**
 * Datasets whose buffers are SharedArrayBuffers: posting one to a worker thread shares the memory
 * instead of structured-cloning tens of megabytes per task.
 */

/** True when x, y (and the targets, if any) live in SharedArrayBuffers. */
export function isShared(ds: Dataset): boolean {
  return (
    ds.x.buffer instanceof SharedArrayBuffer &&
    ds.y.buffer instanceof SharedArrayBuffer &&
    (ds.targets === undefined || ds.targets.buffer instanceof SharedArrayBuffer)
  );
}

/** Copies x and y into SharedArrayBuffers (returns `ds` itself if they already are). */
export function toShared(ds: Dataset): Dataset {
  if (isShared(ds)) return ds;
  const x = new Float32Array(new SharedArrayBuffer(ds.x.length * Float32Array.BYTES_PER_ELEMENT));
  x.set(ds.x);
  const y = new Int32Array(new SharedArrayBuffer(ds.y.length * Int32Array.BYTES_PER_ELEMENT));
  y.set(ds.y);
  let targets: Float32Array | undefined;
  if (ds.targets) {
    targets = new Float32Array(new SharedArrayBuffer(ds.targets.length * Float32Array.BYTES_PER_ELEMENT));
    targets.set(ds.targets);
  }
  return {
    x,
    y,
    ...(targets ? { targets } : {}),
    count: ds.count,
    sampleShape: ds.sampleShape,
    classes: ds.classes,
  };
}
