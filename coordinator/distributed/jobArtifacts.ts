import type { ArtifactInfo } from '../../cluster/api/apiTypes.ts';
import type { NatsArtifactStore } from '../../cluster/artifacts/natsArtifactStore.ts';
import { sha256Hex } from '../../cluster/grpc/artifactStream.ts';
import { REPORT_KEYS } from '../report/writeReport.ts';

/** Where every model of a run is kept (core/artifacts/artifactKeys.ts: the `…Model` keys). */
export const MODELS_FOLDER = 'models/';

/**
 * What `chorus fetch` downloads of a done job, as `chorus run` leaves them in its output folder: the
 * report's three files and every model (tfjs format). Not the uploaded data, predictions, soft labels
 * or checkpoints.
 */
export function isFetchedKey(key: string): boolean {
  return (Object.values(REPORT_KEYS) as string[]).includes(key) || key.startsWith(MODELS_FOLDER);
}

/** A done job's fetched files in its store, in path order, each with its size and SHA-256. */
export async function listJobArtifacts(store: NatsArtifactStore): Promise<ArtifactInfo[]> {
  const out: ArtifactInfo[] = [];
  for (const o of await store.list()) {
    if (!isFetchedKey(o.key)) continue;
    // An object stored without a SHA-256 digest (another client) is hashed here instead.
    const sha256 = o.sha256 ?? sha256Hex(await store.get(o.key));
    out.push({ path: o.key, size: o.size, sha256 });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
