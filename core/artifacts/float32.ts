import type { ArtifactStore } from './artifactStore.ts';

/** Float32 arrays are stored as raw little-endian bytes (the native order on every platform Node runs on). */
export async function putFloat32(store: ArtifactStore, key: string, values: Float32Array): Promise<void> {
  await store.put(key, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

export async function getFloat32(store: ArtifactStore, key: string): Promise<Float32Array> {
  const bytes = await store.get(key);
  // Copy into a fresh, aligned buffer: the source may start at an odd offset.
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.byteLength));
  return out;
}

/**
 * The bytes as float32 values: a view where they start at a multiple of 4 bytes, else an aligned copy
 * (a small Buffer may sit at any offset of Node's shared pool). `bytes.byteLength` must be a multiple of 4.
 */
export function float32View(bytes: Uint8Array): Float32Array {
  if (bytes.byteOffset % 4 === 0)
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const copy = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(copy.buffer).set(bytes);
  return copy;
}
