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
