import { ArtifactNotFoundError } from '../errors.ts';
import type { ArtifactStore } from './artifactStore.ts';

/** Artifacts in a Map: files checked before they are stored anywhere (a job's model files), and tests. */
export class MemoryArtifactStore implements ArtifactStore {
  private readonly entries = new Map<string, Uint8Array>();

  put(key: string, bytes: Uint8Array): Promise<void> {
    this.entries.set(key, bytes);
    return Promise.resolve();
  }

  get(key: string): Promise<Uint8Array> {
    const bytes = this.entries.get(key);
    return bytes ? Promise.resolve(bytes) : Promise.reject(new ArtifactNotFoundError(key));
  }

  has(key: string): Promise<boolean> {
    return Promise.resolve(this.entries.has(key));
  }

  delete(key: string): Promise<void> {
    this.entries.delete(key);
    return Promise.resolve();
  }

  deletePrefix(prefix: string): Promise<void> {
    const folder = prefix.endsWith('/') ? prefix : `${prefix}/`;
    for (const key of [...this.entries.keys()]) if (key.startsWith(folder)) this.entries.delete(key);
    return Promise.resolve();
  }
}
