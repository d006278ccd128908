import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../core/backend/selectBackend.ts';
import { threadId } from 'node:worker_threads';
import type { WarmUpRequest, WarmUpResult } from './poolMessages.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A pool thread's warm-up (see WarmUpRequest): starts the backend and runs one small matMul, so the
 * first task does not pay for compiling the engine (nor, in a distributed worker, for loading the NATS client).
 */
export async function warmUpThread(request: WarmUpRequest): Promise<WarmUpResult> {
  const arrived = new Int32Array(request.arrived);
  let name: string;
  try {
    tf.enableProdMode();
    name = (await selectBackend(request.backend)).name;
    tf.tidy(() => tf.matMul(tf.ones([8, 8]), tf.ones([8, 8])).dataSync());
    if (request.natsArtifacts === true) await import('./threadNatsArtifacts.ts');
  } finally {
    // Counted even on failure, so the other threads do not wait for this one in vain.
    Atomics.add(arrived, 0, 1);
  }
  const deadline = Date.now() + request.waitMs;
  while (Atomics.load(arrived, 0) < request.threads && Date.now() < deadline) await sleep(5);
  return { threadId, backend: name };
}
