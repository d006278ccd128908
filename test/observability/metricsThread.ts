import type { MessagePort } from 'node:worker_threads';
import { ThreadMetricsRecorder } from '../../worker/metrics/threadMetricsRecorder.ts';

export interface MetricsThreadRequest {
  port: MessagePort;
  steps: number;
  batch: number;
}

/** A stand-in for a training task in a pool thread: reports its steps through a ThreadMetricsRecorder. */
export default async function metricsThread(request: MetricsThreadRequest): Promise<number> {
  const recorder = new ThreadMetricsRecorder((m) => request.port.postMessage(m), {
    intervalMs: 5,
    memoryBytes: () => 2048,
  });
  for (let i = 0; i < request.steps; i++) {
    recorder.step(request.batch, 0.004, 2 - i / request.steps);
    if (i % 10 === 9) await new Promise((r) => setTimeout(r, 2));
  }
  recorder.flush();
  // Messages on this port and the task's result travel on different channels, so the result can
  // arrive first: a last `end` message tells the main thread that nothing more will come.
  request.port.postMessage({ type: 'end' });
  request.port.close();
  return request.steps;
}
