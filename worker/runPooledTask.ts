import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../core/backend/selectBackend.ts';
import { injectFault } from '../core/tasks/faultInjection.ts';
import { runTask } from '../core/tasks/runTask.ts';
import { toFailure } from '../core/tasks/taskFailure.ts';
import type { TaskOutcome } from '../core/tasks/taskOutcome.ts';
import type { PreparedData } from '../core/tasks/taskContext.ts';
import { ThreadMetricsRecorder } from './metrics/threadMetricsRecorder.ts';
import type { PoolRequest, ThreadMessage } from './poolMessages.ts';
import { openArtifactStore } from './threadArtifacts.ts';

/** A task as a pool slot runs it: the request without its reply channel, and the job's data. */
export type PooledTask = Omit<PoolRequest, 'port' | 'data'> & { data: PreparedData };

/**
 * Runs one task in a pool slot (a piscina thread or a child process: the same code either way), its
 * messages going out through `post`; `yieldRequested` says whether the task was asked to give its slot back. Failures come back as data (TaskOutcome), so the error's kind
 * survives the thread or process boundary.
 */
export async function runPooledTask(
  request: PooledTask,
  post: (message: ThreadMessage) => void,
  yieldRequested: () => boolean = () => false,
): Promise<TaskOutcome> {
  // Steps are batched into one message a second; the rest goes out at the end of the task.
  const metrics = new ThreadMetricsRecorder(post, { memoryBytes: () => tf.memory().numBytes });
  try {
    // Production mode: no debug checks, and no "install tfjs-node" banner in every slot.
    tf.enableProdMode();
    const backend = await selectBackend(request.backend);
    post({
      type: 'backend',
      name: backend.name,
      patchedKernels: backend.patchedKernels,
      package: backend.package,
      version: backend.version,
      gpu: backend.gpu,
    });
    injectFault(request.task.id, request.attempt);
    const result = await runTask(request.task, {
      job: request.job,
      data: async () => request.data,
      artifacts: await openArtifactStore(request.artifacts, request.data.classes),
      progress: (progress) => post({ type: 'progress', progress }),
      attempt: request.attempt,
      metrics,
      yieldRequested,
    });
    return { ok: true, result };
  } catch (err) {
    return { ok: false, error: toFailure(err) };
  } finally {
    try {
      metrics.flush();
    } catch {
      // Metrics are best effort: the task's outcome must still go out.
    }
  }
}
