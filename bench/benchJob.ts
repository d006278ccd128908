import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

/** The job the executor benchmarks run: four MLP members (see the file's header). */
export const FOUR_MLPS_JOB = fileURLToPath(new URL('./jobs/four-mlps.yaml', import.meta.url));

/**
 * A copy of a bench job in a fresh temporary folder, with every member's (and the student's) epochs
 * replaced (quick runs) when `epochs` is given. The caller removes `dir`.
 */
export async function benchJobCopy(file: string, epochs?: number): Promise<{ dir: string; jobFile: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'chorus-bench-'));
  type Train = { train?: { epochs?: number } };
  const job = parse(await readFile(file, 'utf8')) as { members: Train[]; distillation?: { student?: Train } };
  if (epochs !== undefined) {
    for (const m of job.members) m.train = { ...m.train, epochs };
    const student = job.distillation?.student;
    if (student) student.train = { ...student.train, epochs };
  }
  const jobFile = path.join(dir, path.basename(file));
  await writeFile(jobFile, stringify(job));
  return { dir, jobFile };
}
