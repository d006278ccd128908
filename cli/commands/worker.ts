import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendChoice } from '../../core/backend/backendChoice.ts';
import { startNatsWorker } from '../../worker/distributed/natsWorker.ts';
import { logLine, serversOf } from '../options.ts';
import { waitForStopSignal } from './coordinator.ts';

export interface WorkerFlags {
  nats: string;
  natsPrefix: string;
  coordinator: string;
  slots?: number;
  gpu?: number;
  backend?: BackendChoice;
  metricsPort?: number;
  cache?: string;
  drainSeconds: number;
}

/** `chorus worker`: SIGTERM drains (running tasks finish or are handed back), then the process exits. */
export async function workerCommand(flags: WorkerFlags): Promise<void> {
  const log = logLine('worker');
  // Before any backend loads: the native GPU backend reads this when it initialises.
  if (flags.gpu !== undefined) process.env.CUDA_VISIBLE_DEVICES = String(flags.gpu);
  const worker = await startNatsWorker({
    servers: serversOf(flags.nats),
    coordinator: flags.coordinator,
    slots: flags.slots ?? availableParallelism(),
    ...(flags.backend ? { backend: flags.backend } : {}),
    cacheDir: flags.cache ?? join(tmpdir(), `chorus-worker-${process.pid}`),
    resources: { prefix: flags.natsPrefix },
    log,
  });
  await waitForStopSignal(log);
  log(`draining: ${worker.busy()} task(s) running, up to ${flags.drainSeconds} s`);
  await worker.drain(flags.drainSeconds * 1000);
  log('stopped');
}
