import type { BackendChoice } from '../core/backend/backendChoice.ts';
import type { ResolvedJob } from '../core/spec/resolvedJob.ts';
import type { PoolTask } from '../core/tasks/task.ts';
import type { PreparedData } from '../core/tasks/taskContext.ts';
import type { Executor, RunOptions } from '../core/tasks/executor.ts';
import type { TaskOutcome } from '../core/tasks/taskOutcome.ts';
import { createTaskPool } from './createTaskPool.ts';
import type { ArtifactLocation, ThreadMessage } from './poolMessages.ts';
import type { Isolation, PoolPlacementOptions } from './poolPlacement.ts';
import type { TaskPool } from './taskPool.ts';

export interface LocalPoolOptions {
  job: ResolvedJob;
  data: PreparedData;
  artifacts: ArtifactLocation;
  backend: BackendChoice;
  /** Slots; default the machine's cores (with `gpus`: GPUs × slotsPerGpu). */
  slots?: number;
  /** Threads or child processes (default: processes for the native backends, see poolPlacement.ts). */
  isolation?: Isolation;
  gpus?: PoolPlacementOptions['gpus'];
  slotsPerGpu?: number;
  /** Called with every message of a task's thread (metrics). */
  onThreadMessage?: (message: ThreadMessage, task: PoolTask) => void;
}

/** The embedded mode's executor: one job's tasks on a pool of threads or child processes of this process. */
export class LocalPoolExecutor implements Executor {
  readonly slots: number;
  readonly isolation: Isolation;
  /** Backend the threads reported, once one has started a task. */
  backend: { name: string; patchedKernels: string[] } | undefined;
  private readonly pool: TaskPool;
  private readonly options: LocalPoolOptions;

  constructor(options: LocalPoolOptions) {
    this.options = options;
    const { pool, plan } = createTaskPool({
      backend: options.backend,
      ...(options.slots !== undefined ? { slots: options.slots } : {}),
      ...(options.isolation !== undefined ? { isolation: options.isolation } : {}),
      ...(options.gpus !== undefined ? { gpus: options.gpus } : {}),
      ...(options.slotsPerGpu !== undefined ? { slotsPerGpu: options.slotsPerGpu } : {}),
    });
    this.pool = pool;
    this.slots = pool.slots;
    this.isolation = plan.isolation;
  }

  run(task: PoolTask, run: RunOptions): Promise<TaskOutcome> {
    const { job, data, artifacts, backend } = this.options;
    return this.pool.run(
      { task, job, data, artifacts, backend, attempt: run.attempt },
      (message) => {
        this.options.onThreadMessage?.(message, task);
        if (message.type === 'progress') run.onProgress(message.progress);
        else if (message.type === 'backend')
          this.backend = { name: message.name, patchedKernels: message.patchedKernels };
      },
      run.signal,
    );
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
