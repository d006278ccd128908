import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BackendChoice } from '../core/backend/backendChoice.ts';
import { FsArtifactStore } from '../core/artifacts/fsArtifactStore.ts';
import { prepareData } from '../core/data/prepareData.ts';
import { NonRetryableError } from '../core/errors.ts';
import { checkJobModelFiles } from '../core/model/modelFile/checkJobModelFiles.ts';
import { readJobModelFiles } from '../core/model/modelFile/readJobModelFiles.ts';
import { storeModelFiles } from '../core/model/modelFile/storeModelFiles.ts';
import { checkModelsAgainstData } from '../core/spec/checkModelsAgainstData.ts';
import { loadJobFile } from '../core/spec/loadJob.ts';
import type { ResolvedJob } from '../core/spec/resolvedJob.ts';
import type { PreparedData } from '../core/tasks/taskContext.ts';
import { LocalPoolExecutor, type LocalPoolOptions } from '../worker/index.ts';
import { FileStateStore } from './fileStateStore.ts';
import { planJob } from './planJob.ts';
import { produceReport } from './produceReport.ts';
import type { JobReport } from '../core/report/regressionReport.ts';
import { runTaskGraph } from './scheduler.ts';
import type { SchedulerEvent } from '../core/tasks/schedulerEvent.ts';
import type { TaskRecord } from '../core/tasks/taskRecord.ts';

export interface EmbeddedRunOptions {
  jobFile: string;
  /** Output folder; default `runs/<job name>`. */
  out?: string;
  /** Override the job's runtime settings. */
  slots?: number;
  backend?: BackendChoice;
  /** Pool isolation and GPU placement (`--isolation`, `--gpus`, `--slots-per-gpu`); see worker/poolPlacement.ts. */
  placement?: Pick<LocalPoolOptions, 'isolation' | 'gpus' | 'slotsPerGpu'>;
  /** Delete an existing output folder first instead of resuming it. */
  fresh?: boolean;
  onEvent?: (event: SchedulerEvent) => void;
  /** Called with every message of a task's pool thread (metrics). */
  onThreadMessage?: LocalPoolOptions['onThreadMessage'];
  /** Called once the job is loaded and its data prepared, before any task runs. */
  onStart?: (info: { job: ResolvedJob; outDir: string; data: PreparedData; slots: number }) => void;
  signal?: AbortSignal;
}

export interface EmbeddedRunResult {
  job: ResolvedJob;
  outDir: string;
  report: JobReport;
}

/**
 * `chorus run`: plans the job, runs its tasks in a local piscina pool, writes every artifact and
 * the report under the output folder. Running it again on the same folder resumes: finished tasks
 * are kept, interrupted training continues from its last epoch checkpoint.
 */
export async function runEmbedded(options: EmbeddedRunOptions): Promise<EmbeddedRunResult> {
  const started = Date.now();
  const { job, baseDir } = await loadJobFile(options.jobFile);
  if (options.slots !== undefined) job.runtime.slots = options.slots;
  if (options.backend !== undefined) job.runtime.backend = options.backend;
  const outDir = resolve(options.out ?? join('runs', job.name));
  // Data first: a job refused for bad data must not claim the folder (the fixed job may then run there).
  const data = await prepareData(job.data, baseDir, job.seed, job.task);
  // Models that cannot take this data's shape are bad input, reported before any task runs.
  checkModelsAgainstData(job, data.sampleShape, data.classes, options.jobFile);
  const modelFiles = await readJobModelFiles(job, baseDir, options.jobFile);
  await checkJobModelFiles(modelFiles, data, options.jobFile);
  if (options.fresh) await rm(outDir, { recursive: true, force: true });
  await claimOutputFolder(outDir, job);
  const store = new FsArtifactStore(outDir);
  await storeModelFiles(modelFiles, store);
  const executor = new LocalPoolExecutor({
    job,
    data,
    artifacts: { kind: 'fs', root: outDir },
    backend: job.runtime.backend,
    // With GPUs the slots are GPUs × slots per GPU, whatever the job file says.
    ...(job.runtime.slots === 'auto' || options.placement?.gpus ? {} : { slots: job.runtime.slots }),
    ...options.placement,
    ...(options.onThreadMessage ? { onThreadMessage: options.onThreadMessage } : {}),
  });
  options.onStart?.({ job, outDir, data, slots: executor.slots });
  let report: JobReport | undefined;
  try {
    const runReport = async (_task: unknown, records: ReadonlyMap<string, TaskRecord>) => {
      const reportStarted = performance.now();
      report = await produceReport({
        job,
        store,
        records,
        data,
        wallSeconds: (Date.now() - started) / 1000,
        ...(executor.backend ? { fallbackBackend: executor.backend.name } : {}),
      });
      return { type: 'report' as const, seconds: (performance.now() - reportStarted) / 1000 };
    };
    await runTaskGraph({
      tasks: planJob(job),
      store: new FileStateStore(join(outDir, 'state.json')),
      executor,
      maxAttempts: job.runtime.maxAttempts,
      runReport,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } finally {
    await executor.close();
  }
  // Finished tasks removed their checkpoints; drop the folder too when nothing is left in it.
  await rmdir(join(outDir, 'checkpoints')).catch(() => undefined);
  if (!report) {
    // The report task was already done in an earlier run: read what it wrote.
    report = JSON.parse(await readFile(join(outDir, 'report.json'), 'utf8')) as JobReport;
  }
  return { job, outDir, report };
}

/**
 * An output folder belongs to one job: resuming it with a changed job file would mix results.
 * The resolved job is recorded on first use and compared on every later run.
 */
async function claimOutputFolder(outDir: string, job: ResolvedJob): Promise<void> {
  const path = join(outDir, 'job.json');
  const { runtime: _runtime, ...identity } = job;
  const text = `${JSON.stringify(identity, null, 1)}\n`;
  let existing: string | undefined;
  try {
    existing = await readFile(path, 'utf8');
  } catch {
    existing = undefined;
  }
  if (existing !== undefined && existing !== text) {
    throw new NonRetryableError(
      `${outDir} holds a run of a different version of job "${job.name}": use --fresh to start over, or --out to pick another folder`,
    );
  }
  await mkdir(outDir, { recursive: true });
  if (existing === undefined) await writeFile(path, text);
}
