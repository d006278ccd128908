import { MemoryArtifactStore } from '../../artifacts/memoryArtifactStore.ts';
import { ensureMainThreadBackend } from '../../backend/mainThreadBackend.ts';
import { JobSpecError, ModelFileError, type SpecIssue } from '../../errors.ts';
import { modelContractProblems } from '../../spec/modelContract.ts';
import { loadModelFile } from './loadModelFile.ts';
import type { JobModelFileContent } from './readJobModelFiles.ts';
import { storeModelFiles } from './storeModelFiles.ts';

/**
 * Builds each model file the job names the way its tasks will (see loadModelFile.ts), and checks it
 * against the job's data: its input against the samples' shape, its output against the classes. Runs
 * before any task, so that a model file that cannot work is bad input (exit 2), not a failed task.
 * Throws a JobSpecError listing every problem at the field that names the file.
 */
export async function checkJobModelFiles(
  contents: readonly JobModelFileContent[],
  data: { sampleShape: readonly number[]; classes: number },
  source?: string,
): Promise<void> {
  if (contents.length === 0) return;
  await ensureMainThreadBackend();
  const issues: SpecIssue[] = [];
  for (const content of contents) {
    const { declared, files } = content;
    const issue = (problem: string) =>
      issues.push({ path: declared.field, message: `${declared.who}: ${files.file}: ${problem}` });
    const store = new MemoryArtifactStore();
    await storeModelFiles([content], store);
    try {
      const { model } = await loadModelFile(store, {
        prefix: declared.key,
        weights: declared.weights,
        seed: declared.seed,
        training: !declared.pretrained,
        describe: files.file,
      });
      try {
        const shapes = (tensors: readonly { shape: readonly (number | null)[] }[]) =>
          tensors.map((t) => t.shape);
        const contract = {
          inputs: shapes(model.inputs),
          outputs: shapes(model.outputs),
          parameters: model.countParams(),
        };
        for (const problem of modelContractProblems(contract, data.sampleShape, data.classes)) issue(problem);
      } finally {
        model.dispose();
      }
    } catch (err) {
      if (!(err instanceof ModelFileError)) throw err;
      issues.push({ path: declared.field, message: `${declared.who}: ${err.message}` });
    }
  }
  if (issues.length > 0) throw new JobSpecError(issues, source);
}
