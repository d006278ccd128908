import { FsArtifactStore } from '../core/artifacts/fsArtifactStore.ts';
import type { ArtifactStore } from '../core/artifacts/artifactStore.ts';
import type { ArtifactLocation } from './poolMessages.ts';

/**
 * Opens a task's artifact store inside a pool thread: the filesystem (embedded runs), or the NATS
 * Object Store (distributed workers), whose clients are loaded on the first such task only.
 */
export async function openArtifactStore(location: ArtifactLocation, classes: number): Promise<ArtifactStore> {
  if (location.kind === 'fs') return new FsArtifactStore(location.root);
  const { openNatsArtifactStore } = await import('./threadNatsArtifacts.ts');
  return openNatsArtifactStore(location, classes);
}
