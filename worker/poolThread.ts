import type { TaskOutcome } from '../core/tasks/taskOutcome.ts';
import type {
  EndOfTaskMessage,
  PoolRequest,
  ThreadMessage,
  WarmUpRequest,
  WarmUpResult,
  YieldRequestMessage,
} from './poolMessages.ts';
import { runPooledTask } from './runPooledTask.ts';
import { warmUpThread } from './threadWarmUp.ts';

/**
 * The piscina thread entry: one tfjs engine per thread, its backend chosen on the first task.
 * Failures come back as data (TaskOutcome), so the error's kind survives the thread boundary.
 */
export default async function poolThread(
  request: PoolRequest | WarmUpRequest,
): Promise<TaskOutcome | WarmUpResult> {
  if ('kind' in request) return warmUpThread(request);
  const post = (message: ThreadMessage | EndOfTaskMessage) => request.port.postMessage(message);
  // Heard whenever the task lets the event loop turn (training does every few batches).
  let yieldRequested = false;
  request.port.on('message', (message: YieldRequestMessage) => {
    if (message.type === 'yield') yieldRequested = true;
  });
  try {
    return await runPooledTask(request, post, () => yieldRequested);
  } finally {
    // Tells the pool that every message of this task is out (see ThreadPool.run).
    post({ type: 'end' });
    request.port.close();
  }
}
