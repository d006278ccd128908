import type { ArtifactStore } from '../../artifacts/artifactStore.ts';
import { MODEL_JSON } from '../../artifacts/modelIO.ts';
import { NonRetryableError } from '../../errors.ts';
import type { JobModelFileContent } from './readJobModelFiles.ts';

/**
 * Copies a job's model files into the run's store (its `sources/` folder), where every task reads them:
 * the weights files, then model.json last, so a model.json there always has its weights beside it. A run
 * that is resumed finds its copies: if a file has changed since, the run is refused, as a changed job
 * file is (the finished tasks used the old one).
 */
export async function storeModelFiles(
  contents: readonly JobModelFileContent[],
  store: ArtifactStore,
): Promise<void> {
  for (const { declared, files } of contents) {
    const entries = [
      ...files.weights.map((w) => ({ key: `${declared.key}/${w.path}`, bytes: w.bytes })),
      { key: `${declared.key}/${MODEL_JSON}`, bytes: files.json },
    ];
    if (await store.has(`${declared.key}/${MODEL_JSON}`)) {
      for (const { key, bytes } of entries) {
        const kept = (await store.has(key)) ? await store.get(key) : undefined;
        if (!kept || !Buffer.from(kept).equals(bytes)) {
          throw new NonRetryableError(
            `${declared.field}: ${files.file} has changed since this run started (its copy is ${key}): ` +
              'use --fresh to start over, or --out to pick another folder',
          );
        }
      }
      continue;
    }
    for (const { key, bytes } of entries) await store.put(key, bytes);
  }
}
