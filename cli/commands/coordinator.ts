import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCoordinator } from '../../coordinator/distributed/startCoordinator.ts';
import type { ServerSecurityOptions } from '../../coordinator/grpc/authServer.ts';
import { natsClientOptions } from '../../cluster/nats/natsClientSecurity.ts';
import { ChorusError, NonRetryableError } from '../../core/errors.ts';
import { CoordinatorMetricsBridge } from '../../coordinator/metrics/coordinatorMetricsBridge.ts';
import { natsConnectionCheck } from '../../observability/natsConnectionCheck.ts';
import { startProcessMetrics } from '../metrics/processMetrics.ts';
import { readinessOf, type ReadinessCheck } from '../../observability/readiness.ts';
import { DEFAULTS, logLine, parseHostPort, serversOf } from '../options.ts';
import { natsSecurityFrom, type NatsSecurityFlags } from './natsSecurity.ts';

export interface CoordinatorFlags extends NatsSecurityFlags {
  nats: string;
  natsPrefix: string;
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
}

/** The TLS and token flags as the coordinator takes them; half a TLS setting is an error. */
export function serverSecurityFrom(flags: CoordinatorFlags): ServerSecurityOptions {
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

/** `chorus coordinator`: runs until SIGTERM/SIGINT; jobs in flight resume with the next coordinator. */
export async function coordinatorCommand(flags: CoordinatorFlags): Promise<void> {
  const log = logLine('coordinator');
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
    resources: {
      prefix: flags.natsPrefix,
      ...(flags.ackWaitMs !== undefined ? { ackWaitMs: flags.ackWaitMs } : {}),
      ...(flags.maxDeliver !== undefined ? { maxDeliver: flags.maxDeliver } : {}),
    },
    log,
    onJobEvent: (event, job) => bridge.onJobEvent(event, job),
    onLogitBytes: (bytes) => bridge.onLogitBytes(bytes),
    onRetry: (jobId, taskId) => bridge.onRetry(jobId, taskId),
  }).catch(async (err: unknown) => {
    bridge.close();
    await metrics.close();
    throw err;
  });
  bridge.attach(handle.service);
  const nats = natsConnectionCheck(handle.nc);
  ready = () => (handle.ready() ? nats() : 'not serving gRPC');
  log(`metrics on port ${metrics.server.port}: /metrics, /healthz, /readyz`);
  await waitForStopSignal(log);
  ready = () => 'shutting down';
  await handle.close();
  bridge.close();
  await metrics.close();
}

/** Resolves on the first SIGTERM or SIGINT. */
export function waitForStopSignal(log: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      log(`${signal}: shutting down`);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve();
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
}
