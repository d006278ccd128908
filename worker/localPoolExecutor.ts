import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { BackendChoice } from '../core/backend/backendChoice.ts';
import type { ResolvedJob } from '../core/spec/resolvedJob.ts';
import type { PoolTask } from '../core/tasks/task.ts';
import type { PreparedData } from '../core/tasks/taskContext.ts';
import { toFailure } from '../core/tasks/toFailure.ts';
import type { Executor, RunOptions, TaskOutcome } from '../coordinator/executor.ts';
import type { ArtifactLocation, PoolRequest, ThreadMessage } from './poolMessages.ts';

export interface LocalPoolOptions {
  job: ResolvedJob;
  data: PreparedData;
  artifacts: ArtifactLocation;
  backend: BackendChoice;
  /** Threads; default the machine's cores. */
  slots?: number;
}

/**
 * Runs tasks in a piscina pool of worker threads in this process. A thread that crashes fails
 * only its own task (piscina replaces the thread); an aborted task's thread is terminated.
 */
export class LocalPoolExecutor implements Executor {
  readonly slots: number;
  /** Backend the threads reported, once one has started a task. */
  backend: { name: string; patchedKernels: string[] } | undefined;
  private readonly pool: Piscina;
  private readonly options: LocalPoolOptions;

  constructor(options: LocalPoolOptions) {
    this.options = options;
    this.slots = options.slots ?? availableParallelism();
    this.pool = new Piscina({
      filename: new URL('./poolThreadEntry.mjs', import.meta.url).href,
      minThreads: this.slots,
      maxThreads: this.slots,
      // Threads keep their tfjs engine (and loaded backend) between tasks.
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
    });
  }

  async run(task: PoolTask, run: RunOptions): Promise<TaskOutcome> {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (message: ThreadMessage) => {
      if (message.type === 'progress') run.onProgress(message.progress);
      else this.backend = { name: message.name, patchedKernels: message.patchedKernels };
    });
    const request: PoolRequest = {
      task,
      job: this.options.job,
      data: this.options.data,
      artifacts: this.options.artifacts,
      backend: this.options.backend,
      attempt: run.attempt,
      port: port2,
    };
    try {
      return (await this.pool.run(request, { transferList: [port2], signal: run.signal })) as TaskOutcome;
    } catch (err) {
      // The thread died (crash, out of memory) or the task was aborted.
      return { ok: false, error: toFailure(err) };
    } finally {
      port1.close();
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
