import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendChoice } from '../../core/backend/backendChoice.ts';
import { ChorusError } from '../../core/errors.ts';
import { natsConnectionCheck } from '../../observability/natsConnectionCheck.ts';
import { startProcessMetrics } from '../metrics/processMetrics.ts';
import { readinessOf, type ReadinessCheck } from '../../observability/readiness.ts';
import { startNatsWorker } from '../../worker/distributed/natsWorker.ts';
import { clientConnectOptions } from '../../cluster/grpc/authClient.ts';
import { natsClientOptions } from '../../cluster/nats/natsClientSecurity.ts';
import { DEFAULTS, logLine, serversOf } from '../options.ts';
import { clientSecurityFrom, type ClientSecurityFlags } from './clientSecurity.ts';
import { natsSecurityFrom, type NatsSecurityFlags } from './natsSecurity.ts';
import { waitForStopSignal } from './coordinator.ts';

export interface WorkerFlags extends ClientSecurityFlags, NatsSecurityFlags {
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
  const slots = flags.slots ?? availableParallelism();
  // Read and check the TLS files and token now, so a bad setting fails the start, not every task.
  const grpc = clientSecurityFrom(flags);
  clientConnectOptions(grpc);
  const natsSecurity = natsSecurityFrom(flags);
  natsClientOptions(serversOf(flags.nats), natsSecurity);
  let ready: ReadinessCheck = () => 'starting (connecting to NATS)';
  const metrics = await startProcessMetrics({
    role: 'worker',
    port: flags.metricsPort ?? DEFAULTS.workerMetricsPort,
    isReady: readinessOf({ worker: () => ready() }),
  });
  const workerMetrics = metrics.worker;
  if (!workerMetrics) throw new ChorusError('the worker metrics are missing');
  workerMetrics.setSlots(slots);
  // Metrics must never fail a task: the hooks run inside the pool's message listener.
  let complained = false;
  const safely = (apply: () => void) => {
    try {
      apply();
    } catch (err) {
      if (!complained) log(`metrics: ${err instanceof Error ? err.message : String(err)}`);
      complained = true;
    }
  };
  const worker = await startNatsWorker({
    servers: serversOf(flags.nats),
    natsSecurity,
    coordinator: flags.coordinator,
    grpc,
    slots,
    ...(flags.backend ? { backend: flags.backend } : {}),
    cacheDir: flags.cache ?? join(tmpdir(), `chorus-worker-${process.pid}`),
    resources: { prefix: flags.natsPrefix },
    log,
    onThreadMessage: (message, task) => safely(() => workerMetrics.observeThreadMessage(message, task)),
    onTask: (event, task) =>
      safely(() => (event === 'started' ? workerMetrics.taskStarted(task) : workerMetrics.taskEnded(task))),
  }).catch(async (err: unknown) => {
    await metrics.close();
    throw err;
  });
  workerMetrics.countBusyWith(() => worker.busy());
  const nats = natsConnectionCheck(worker.nc);
  ready = () => nats();
  log(`metrics on port ${metrics.server.port}: /metrics, /healthz, /readyz`);
  await waitForStopSignal(log);
  ready = () => 'draining';
  log(`draining: ${worker.busy()} task(s) running, up to ${flags.drainSeconds} s`);
  await worker.drain(flags.drainSeconds * 1000);
  await metrics.close();
  log('stopped');
}
