import { Command } from 'commander';
import { tmpdir } from 'node:os';
import type { BackendChoice } from '../../core/backend/backendChoice.ts';
import { ChorusError, NonRetryableError } from '../../core/errors.ts';
import { natsConnectionCheck } from '../../observability/natsConnectionCheck.ts';
import { readinessOf, type ReadinessCheck } from '../../observability/readiness.ts';
import { checkWorkerName } from '../../cluster/nats/natsNames.ts';
import { DEFAULT_WORKER_NAME } from '../../cluster/nats/workerPermissions.ts';
import { WORKER_DEFAULTS } from '../../worker/workerDefaults.ts';
import { ENV } from '../env.ts';
import { backendOption } from '../flags/backendFlag.ts';
import { coordinatorOptions, type CoordinatorFlags } from '../flags/coordinatorFlags.ts';
import { envInt } from '../flags/envValues.ts';
import { natsOptions, natsSecurityFrom, type NatsFlags } from '../flags/natsFlags.ts';
import { checkPoolFlags, poolOptions, type PoolFlags } from '../flags/poolFlags.ts';
import {
  DEFAULTS,
  envOrUndefined,
  fromEnv,
  logLine,
  nonNegativeIntOption,
  portOption,
  positiveIntOption,
  serversOf,
} from '../options.ts';
import { exitAfter } from '../shutdownDeadline.ts';
import { listenForStopSignal } from '../stopSignal.ts';

export interface WorkerFlags extends CoordinatorFlags, NatsFlags, PoolFlags {
  slots?: number;
  gpu?: number;
  backend?: BackendChoice;
  metricsPort?: number;
  cache?: string;
  drainSeconds: number;
  workerName: string;
}

/** `chorus worker`: SIGTERM drains (running tasks finish or are handed back), then the process exits. */
export function workerCommand(): Command {
  return poolOptions(
    coordinatorOptions(
      natsOptions(
        new Command('worker').description(
          'run tasks from NATS JetStream in a pool of threads or processes (SIGTERM drains)',
        ),
      ),
    ),
  )
    .option(
      '--slots <n>',
      'tasks at once (default the number of cores; with --gpus: GPUs × --slots-per-gpu)',
      positiveIntOption,
      envInt('slots'),
    )
    .option(
      '--gpu <index>',
      'pin this process to one GPU (sets CUDA_VISIBLE_DEVICES)',
      nonNegativeIntOption,
      envInt('gpu', 0),
    )
    .addOption(backendOption("tfjs backend for every task (default: each job file's)"))
    .option(
      '--metrics-port <port>',
      `port of /metrics, /healthz, /readyz (default ${DEFAULTS.workerMetricsPort}; ${ENV.metricsPort})`,
      portOption,
      envInt('metricsPort', 0),
    )
    .option('--cache <dir>', 'folder for downloaded job data', envOrUndefined('cacheDir'))
    .option(
      '--worker-name <name>',
      `this worker's name: its NATS user may write only this name's heartbeats (\`chorus nats-permissions --worker-name\`; ${ENV.workerName})`,
      fromEnv('workerName', DEFAULT_WORKER_NAME),
    )
    .option(
      '--drain-seconds <s>',
      `on SIGTERM, how long running tasks may take before they are handed back; the worker stops at most ${WORKER_DEFAULTS.closeSeconds} s later`,
      positiveIntOption,
      WORKER_DEFAULTS.drainSeconds,
    )
    .action(runWorker);
}

async function runWorker(flags: WorkerFlags): Promise<void> {
  const log = logLine('worker');
  const stop = listenForStopSignal(log);
  // Before any backend loads: the native GPU backend reads this when it initialises.
  if (flags.gpu !== undefined) process.env.CUDA_VISIBLE_DEVICES = String(flags.gpu);
  // The machinery is loaded here, not at the top: `chorus --help` and other commands need none of it.
  const { startNatsWorker } = await import('../../worker/distributed/natsWorker.ts');
  const { clientConnectOptions } = await import('../../cluster/grpc/authClient.ts');
  const { natsClientOptions } = await import('../../cluster/nats/natsClientSecurity.ts');
  const { clientSecurityFrom } = await import('../flags/coordinatorConnection.ts');
  const { startProcessMetrics } = await import('../metrics/processMetrics.ts');
  const { defaultWorkerFolder, removeEndedWorkerFolders } =
    await import('../../cluster/jobData/endedWorkerFolders.ts');
  if (flags.gpus !== undefined && flags.gpu !== undefined) {
    throw new NonRetryableError(`--gpu: not with --gpus (${ENV.gpu} or ${ENV.gpus}): pick one`);
  }
  const plan = checkPoolFlags(flags, flags.backend ?? 'auto');
  const slots = plan.slots;
  checkWorkerName(flags.workerName);
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
  workerMetrics.setGpuSlots(plan.children.flatMap((c) => (c.gpu === undefined ? [] : [c.gpu])));
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
  if (flags.cache === undefined) {
    // The default folder is per process: sweep those of workers killed before they could.
    for (const folder of await removeEndedWorkerFolders(tmpdir()))
      log(`removed ${folder} (its worker has ended)`);
  }
  const worker = await startNatsWorker({
    servers: serversOf(flags.nats),
    natsSecurity,
    coordinator: flags.coordinator,
    grpc,
    slots,
    placement: {
      isolation: plan.isolation,
      ...(flags.gpus !== undefined ? { gpus: flags.gpus } : {}),
      ...(flags.slotsPerGpu !== undefined ? { slotsPerGpu: flags.slotsPerGpu } : {}),
    },
    ...(flags.backend ? { backend: flags.backend } : {}),
    cacheDir: flags.cache ?? defaultWorkerFolder(tmpdir()),
    resources: { prefix: flags.natsPrefix },
    workerName: flags.workerName,
    stopSignal: stop.signal,
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
  await stop.stopped;
  const closeMs = WORKER_DEFAULTS.closeSeconds * 1000;
  const deadline = exitAfter(flags.drainSeconds * 1000 + closeMs + 2000, log);
  ready = () => 'draining';
  log(`draining: ${worker.busy()} task(s) running, up to ${flags.drainSeconds} s`);
  await worker.drain(flags.drainSeconds * 1000, closeMs);
  await metrics.close();
  log('stopped');
  deadline.finished();
}
