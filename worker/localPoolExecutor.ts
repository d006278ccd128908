import type { BackendChoice } from '../core/backend/backendChoice.ts';
import type { ResolvedJob } from '../core/spec/resolvedJob.ts';
import type { PoolTask } from '../core/tasks/task.ts';
import type { PreparedData } from '../core/tasks/taskContext.ts';
import type { Executor, RunOptions } from '../core/tasks/executor.ts';
import type { TaskOutcome } from '../core/tasks/taskOutcome.ts';
import type { ArtifactLocation, ThreadMessage } from './poolMessages.ts';
import { ThreadPool } from './threadPool.ts';

export interface LocalPoolOptions {
  job: ResolvedJob;
  data: PreparedData;
  artifacts: ArtifactLocation;
  backend: BackendChoice;
  /** Threads; default the machine's cores. */
  slots?: number;
  /** Called with every message of a task's thread (metrics). */
  onThreadMessage?: (message: ThreadMessage, task: PoolTask) => void;
}

/** The embedded mode's executor: one job's tasks on a thread pool in this process. */
export class LocalPoolExecutor implements Executor {
  readonly slots: number;
  /** Backend the threads reported, once one has started a task. */
  backend: { name: string; patchedKernels: string[] } | undefined;
  private readonly pool: ThreadPool;
  private readonly options: LocalPoolOptions;

  constructor(options: LocalPoolOptions) {
    this.options = options;
    this.pool = new ThreadPool(options.slots);
    this.slots = this.pool.threads;
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
