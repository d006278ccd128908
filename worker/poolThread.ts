import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../core/backend/selectBackend.ts';
import { injectFault } from '../core/tasks/faultInjection.ts';
import { runTask } from '../core/tasks/runTask.ts';
import { toFailure } from '../core/tasks/taskFailure.ts';
import type { TaskOutcome } from '../core/tasks/taskOutcome.ts';
import { ThreadMetricsRecorder } from './metrics/threadMetricsRecorder.ts';
import type {
  EndOfTaskMessage,
  PoolRequest,
  ThreadMessage,
  WarmUpRequest,
  WarmUpResult,
  YieldRequestMessage,
} from './poolMessages.ts';
import { openArtifactStore } from './threadArtifacts.ts';
import { warmUpThread } from './threadWarmUp.ts';

/**
 * The piscina thread entry: one tfjs engine per thread, its backend chosen on the first task.
 * Failures come back as data (TaskOutcome), so the error's kind survives the thread boundary.
 */
export default async function poolThread(
  request: PoolRequest | WarmUpRequest,
): Promise<TaskOutcome | WarmUpResult> {
  if ('kind' in request) return warmUpThread(request);
  return runPoolTask(request);
}

async function runPoolTask(request: PoolRequest): Promise<TaskOutcome> {
  const post = (message: ThreadMessage | EndOfTaskMessage) => request.port.postMessage(message);
  // Heard whenever the task lets the event loop turn (training does every few batches).
  let yieldRequested = false;
  request.port.on('message', (message: YieldRequestMessage) => {
    if (message.type === 'yield') yieldRequested = true;
  });
  // Steps are batched into one message a second; the rest goes out at the end of the task.
  const metrics = new ThreadMetricsRecorder(post, { memoryBytes: () => tf.memory().numBytes });
  try {
    // Production mode: no debug checks, and no "install tfjs-node" banner on every thread.
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
      yieldRequested: () => yieldRequested,
    });
    return { ok: true, result };
  } catch (err) {
    return { ok: false, error: toFailure(err) };
  } finally {
    try {
      metrics.flush();
    } catch {
      // Metrics are best effort: the task's outcome and the end marker must still go out.
    }
    // Tells the pool that every message of this task is out (see ThreadPool.run).
    post({ type: 'end' });
    request.port.close();
  }
}
