import { Command } from 'commander';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_NATS_RESOURCE_OPTIONS } from '../../cluster/nats/natsResourceOptions.ts';
import type { ServerSecurityOptions } from '../../coordinator/grpc/authServer.ts';
import { COORDINATOR_DEFAULTS } from '../../coordinator/distributed/coordinatorDefaults.ts';
import { ChorusError, NonRetryableError } from '../../core/errors.ts';
import { natsConnectionCheck } from '../../observability/natsConnectionCheck.ts';
import { readinessOf, type ReadinessCheck } from '../../observability/readiness.ts';
import { ENV } from '../env.ts';
import {
  availabilityCoordinator,
  availabilityOptions,
  availabilityResources,
  type AvailabilityFlags,
} from '../flags/availabilityFlags.ts';
import { envBool, envInt } from '../flags/envValues.ts';
import { natsOptions, natsSecurityFrom, type NatsFlags } from '../flags/natsFlags.ts';
import {
  DEFAULTS,
  envOrUndefined,
  fromEnv,
  logLine,
  nonNegativeIntOption,
  parseHostPort,
  portOption,
  positiveIntOption,
  serversOf,
} from '../options.ts';
import { exitAfter } from '../shutdownDeadline.ts';
import { listenForStopSignal } from '../stopSignal.ts';

export interface CoordinatorCommandFlags extends NatsFlags, AvailabilityFlags {
  grpc: string;
  metricsPort?: number;
  cache?: string;
  /** Task consumer settings; the coordinator owns them, workers adopt what the server has. */
  ackWaitMs?: number;
  maxDeliver?: number;
  /** gRPC TLS: certificate chain, key, and (mutual TLS) the CA of client certificates. */
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  /** File of accepted tokens (hashes); gRPC authentication is off without it. */
  authTokens?: string;
  /** On SIGTERM, the most the shutdown may take, NATS reachable or not (default COORDINATOR_DEFAULTS). */
  shutdownSeconds?: number;
  /** Ask running lower-priority tasks to yield to waiting higher-priority ones. */
  preempt?: boolean;
  /** A job waiting this long without a slot competes one priority class higher (0: never). */
  agingSeconds?: number;
}

/** `chorus coordinator`: runs until SIGTERM/SIGINT; jobs in flight resume with the next coordinator. */
export function coordinatorCommand(): Command {
  return availabilityOptions(
    natsOptions(
      new Command('coordinator').description(
        'serve the gRPC API and schedule jobs over NATS JetStream (runs until SIGTERM)',
      ),
    ),
  )
    .option('--grpc <host:port>', 'gRPC listen address', fromEnv('grpcListen', DEFAULTS.grpcListen))
    .option(
      '--metrics-port <port>',
      `port of /metrics, /healthz, /readyz (default ${DEFAULTS.coordinatorMetricsPort}; ${ENV.metricsPort})`,
      portOption,
      envInt('metricsPort', 0),
    )
    .option('--cache <dir>', 'folder for downloaded job data', envOrUndefined('cacheDir'))
    .option(
      '--ack-wait-ms <ms>',
      'how long a task may go without a heartbeat before JetStream redelivers it ' +
        `(default ${DEFAULT_NATS_RESOURCE_OPTIONS.ackWaitMs})`,
      positiveIntOption,
    )
    .option(
      '--max-deliver <n>',
      `deliveries of a task before the job fails with its last error (default ${DEFAULT_NATS_RESOURCE_OPTIONS.maxDeliver})`,
      positiveIntOption,
    )
    .option(
      '--tls-cert <file>',
      `serve gRPC over TLS with this certificate chain (PEM) (${ENV.tlsCert})`,
      envOrUndefined('tlsCert'),
    )
    .option('--tls-key <file>', `private key of --tls-cert (PEM) (${ENV.tlsKey})`, envOrUndefined('tlsKey'))
    .option(
      '--tls-client-ca <file>',
      `mutual TLS: require client certificates signed by this CA (PEM) (${ENV.tlsClientCa})`,
      envOrUndefined('tlsClientCa'),
    )
    .option(
      '--auth-tokens <file>',
      `require bearer tokens listed (as SHA-256) in this file; see \`chorus token create\` (${ENV.authTokens})`,
      envOrUndefined('authTokens'),
    )
    .option(
      '--shutdown-seconds <s>',
      'on SIGTERM, the most the shutdown may take, whether or not NATS answers',
      positiveIntOption,
      COORDINATOR_DEFAULTS.shutdownSeconds,
    )
    .option(
      '--preempt',
      `when a higher-priority task waits and every slot is busy, the lowest-priority, most recently started task checkpoints and yields (${ENV.preempt}=true)`,
      envBool('preempt') ?? COORDINATOR_DEFAULTS.scheduling.preempt,
    )
    .option(
      '--aging-seconds <s>',
      `a job waiting this long without a slot competes one priority class higher; 0: never (${ENV.agingSeconds})`,
      nonNegativeIntOption,
      envInt('agingSeconds', 0) ?? COORDINATOR_DEFAULTS.scheduling.agingSeconds,
    )
    .action(runCoordinator);
}

/** The TLS and token flags as the coordinator takes them; half a TLS setting is an error. */
export function serverSecurityFrom(flags: CoordinatorCommandFlags): ServerSecurityOptions {
  const { tlsCert, tlsKey, tlsClientCa, authTokens } = flags;
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new NonRetryableError('--tls-cert and --tls-key go together: give both or neither');
  }
  if (tlsClientCa !== undefined && tlsCert === undefined) {
    throw new NonRetryableError('--tls-client-ca needs --tls-cert and --tls-key (mutual TLS is TLS first)');
  }
  return {
    ...(tlsCert !== undefined && tlsKey !== undefined
      ? {
          tls: {
            certFile: tlsCert,
            keyFile: tlsKey,
            ...(tlsClientCa !== undefined ? { clientCaFile: tlsClientCa } : {}),
          },
        }
      : {}),
    ...(authTokens !== undefined ? { authTokensFile: authTokens } : {}),
  };
}

async function runCoordinator(flags: CoordinatorCommandFlags): Promise<void> {
  // The machinery is loaded here, not at the top: `chorus --help` and other commands need none of it.
  const { startCoordinator } = await import('../../coordinator/distributed/startCoordinator.ts');
  const { CoordinatorMetricsBridge } = await import('../../coordinator/metrics/coordinatorMetricsBridge.ts');
  const { natsClientOptions } = await import('../../cluster/nats/natsClientSecurity.ts');
  const { startProcessMetrics } = await import('../metrics/processMetrics.ts');
  const log = logLine('coordinator');
  const stop = listenForStopSignal(log);
  const { host, port } = parseHostPort(flags.grpc);
  const security = serverSecurityFrom(flags);
  // Bad NATS settings or files fail the start before anything listens.
  const natsSecurity = natsSecurityFrom(flags);
  natsClientOptions(serversOf(flags.nats), natsSecurity);
  // Metrics first: /healthz answers while NATS connects and jobs resume, /readyz once gRPC serves.
  let ready: ReadinessCheck = () => 'starting (connecting to NATS, resuming jobs)';
  const metrics = await startProcessMetrics({
    role: 'coordinator',
    port: flags.metricsPort ?? DEFAULTS.coordinatorMetricsPort,
    isReady: readinessOf({ coordinator: () => ready() }),
  });
  if (!metrics.coordinator) throw new ChorusError('the coordinator metrics are missing');
  const bridge = new CoordinatorMetricsBridge(metrics.coordinator, { log });
  const handle = await startCoordinator({
    servers: serversOf(flags.nats),
    natsSecurity,
    grpcHost: host,
    grpcPort: port,
    cacheDir: flags.cache ?? join(tmpdir(), 'chorus-coordinator'),
    security,
    ...availabilityCoordinator(flags),
    resources: {
      prefix: flags.natsPrefix,
      ...(flags.ackWaitMs !== undefined ? { ackWaitMs: flags.ackWaitMs } : {}),
      ...(flags.maxDeliver !== undefined ? { maxDeliver: flags.maxDeliver } : {}),
      ...availabilityResources(flags),
    },
    log,
    onJobEvent: (event, job) => bridge.onJobEvent(event, job),
    onLogitBytes: (bytes) => bridge.onLogitBytes(bytes),
    onRetry: (jobId, taskId) => bridge.onRetry(jobId, taskId),
    scheduling: {
      preempt: flags.preempt === true,
      agingSeconds: flags.agingSeconds ?? COORDINATOR_DEFAULTS.scheduling.agingSeconds,
    },
  }).catch(async (err: unknown) => {
    bridge.close();
    await metrics.close();
    throw err;
  });
  bridge.attach(handle.service);
  const nats = natsConnectionCheck(handle.nc);
  ready = () =>
    !handle.leading()
      ? 'standing by: another coordinator holds the leadership lease'
      : handle.ready()
        ? nats()
        : 'not serving gRPC';
  log(`metrics on port ${metrics.server.port}: /metrics, /healthz, /readyz`);
  await stop.stopped;
  const shutdownMs = (flags.shutdownSeconds ?? COORDINATOR_DEFAULTS.shutdownSeconds) * 1000;
  const deadline = exitAfter(shutdownMs + 2000, log);
  ready = () => 'shutting down';
  bridge.close(); // its NATS look-ups (workers, queue depth) would only time out now
  await handle.close(shutdownMs);
  await metrics.close();
  log('stopped');
  deadline.finished();
}
