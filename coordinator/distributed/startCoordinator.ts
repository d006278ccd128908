import { hostname } from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import { openServerSecurity, type ServerSecurityOptions } from '../grpc/authServer.ts';
import { startCoordinatorServer } from '../grpc/coordinatorServer.ts';
import type { JobEvent } from '../../cluster/api/apiTypes.ts';
import { connectNats } from '../../cluster/nats/connectNats.ts';
import { closeNatsWithin, settleWithin } from '../../cluster/nats/closeNats.ts';
import { ArtifactJanitor } from '../nats/artifactJanitor.ts';
import { COORDINATOR_DEFAULTS } from './coordinatorDefaults.ts';
import { checkCoordinatorNats } from './coordinatorStartupChecks.ts';
import {
  describeNatsSecurity,
  natsClientOptions,
  type NatsClientSecurity,
} from '../../cluster/nats/natsClientSecurity.ts';
import type { NatsResourceOptions } from '../../cluster/nats/natsResourceOptions.ts';
import { CoordinatorService } from './coordinatorService.ts';
import type { SchedulingOptions } from '../scheduling/schedulingOptions.ts';
import type { JobLimits } from './limits.ts';
import { NatsConnectionState } from '../../cluster/nats/natsConnectionState.ts';
import { startLeadership, type LeadershipHandle } from '../leadership/startLeadership.ts';

export interface CoordinatorOptions {
  servers: string[];
  /** NATS login and TLS besides URL credentials (docs/security.md, "The NATS side"). */
  natsSecurity?: NatsClientSecurity;
  grpcHost: string;
  /** 0 picks a free port. */
  grpcPort: number;
  cacheDir: string;
  resources?: Partial<NatsResourceOptions>;
  limits?: Partial<JobLimits>;
  log?: (line: string) => void;
  onJobEvent?: (event: JobEvent, job: ResolvedJob | undefined) => void;
  onLogitBytes?: (bytes: number) => void;
  onRetry?: (jobId: string, taskId: string) => void;
  /** TLS and bearer tokens of the gRPC API (docs/security.md); default: neither, with a warning. */
  security?: ServerSecurityOptions;
  /** How jobs share the workers: preemption, aging (docs/distributed.md, "Sharing the cluster"). */
  scheduling?: Partial<SchedulingOptions>;
  /** The leadership lease's length (default DEFAULT_LEASE_SECONDS); standbys take over this long after a leader dies. */
  leaseSeconds?: number;
  /** HOST[:PORT] clients reach this coordinator at, which standbys name in their redirects (default: the gRPC address, a wildcard host replaced by the host name; the port defaults to the gRPC port). */
  advertise?: string;
}

export interface CoordinatorHandle {
  readonly grpcPort: number;
  /** The gRPC handlers: this process's CoordinatorService while it leads, NotLeaderError otherwise. */
  readonly service: LeadershipHandle['gate'];
  readonly nc: NatsConnection;
  /** Connected to NATS, serving gRPC and leading (a standby is not ready: a Kubernetes Service then routes to the leader only). */
  ready(): boolean;
  /** Holds the leadership lease (runs the jobs); a standby does not. */
  leading(): boolean;
  /** Stops serving and scheduling and closes NATS, within `budgetMs` (default COORDINATOR_DEFAULTS.shutdownSeconds) whether or not NATS answers. */
  close(budgetMs?: number): Promise<void>;
}

/**
 * `chorus coordinator`: creates or checks the NATS resources, resumes the jobs left running, and
 * serves the gRPC API and data plane.
 */
export async function startCoordinator(o: CoordinatorOptions): Promise<CoordinatorHandle> {
  const log = o.log ?? (() => {});
  // First: bad TLS or token files fail the start before anything connects.
  const security = await openServerSecurity(o.security ?? {}, log);
  // Credentials become connect options; only the bare servers are ever logged.
  const nats = natsClientOptions(o.servers, o.natsSecurity);
  const nc = await connectNats(o.servers, o.natsSecurity, { name: 'chorus-coordinator' });
  log(`NATS: ${describeNatsSecurity(nats, o.natsSecurity)}`);
  let resources;
  try {
    // A login that cannot manage the streams, or do the coordinator's work, stops it here, named.
    resources = await checkCoordinatorNats(nc, o.resources ?? {});
  } catch (err) {
    await nc.close().catch(() => undefined);
    throw err;
  }
  for (const change of resources.changes) log(`nats: ${change}`);
  const serviceOptions = {
    nc,
    cacheDir: o.cacheDir,
    log,
    ...(o.limits ? { limits: o.limits } : {}),
    ...(o.onJobEvent ? { onJobEvent: o.onJobEvent } : {}),
    ...(o.onLogitBytes ? { onLogitBytes: o.onLogitBytes } : {}),
    ...(o.onRetry ? { onRetry: o.onRetry } : {}),
    ...(o.scheduling ? { scheduling: o.scheduling } : {}),
    // Quotas come from the tokens file as it is now (it is re-read when it changes).
    ...(security.tokens ? { quotaOf: (client: string) => security.tokens?.byName(client)?.maxSlots } : {}),
  };
  const scheduling = { ...COORDINATOR_DEFAULTS.scheduling, ...o.scheduling };
  log(
    `scheduling: priority classes, fair share between jobs, aging every ${scheduling.agingSeconds} s, ` +
      `preemption ${scheduling.preempt ? 'on' : 'off'}${security.tokens ? ', client quotas from the tokens file' : ''}`,
  );
  const natsState = new NatsConnectionState(nc);
  const leadership = startLeadership({
    resources,
    log,
    natsConnected: () => natsState.connected,
    ...(o.leaseSeconds !== undefined ? { leaseSeconds: o.leaseSeconds } : {}),
    // Each term's service writes through handles fenced by the lease; the janitor purges through them too.
    startTerm: async (fenced) => {
      const janitor = new ArtifactJanitor({ resources: fenced, log });
      await janitor.start();
      const service = new CoordinatorService({ ...serviceOptions, resources: fenced });
      await service.start();
      return {
        service,
        // Side by side: a janitor waiting on an unreachable NATS must not hold the service's stop, nor the other way round.
        stop: async () => {
          await Promise.all([service.stop(), janitor.stop()]);
        },
      };
    },
  });
  const server = await startCoordinatorServer({
    host: o.grpcHost,
    port: o.grpcPort,
    handlers: leadership.gate,
    ...(security.credentials ? { credentials: security.credentials } : {}),
    ...(security.tokens ? { tokens: security.tokens, onRefused: security.onRefused } : {}),
    onInternalError: (rpc, err) =>
      log(`${rpc}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  });
  const advertise = advertisedAddress(o.advertise ?? o.grpcHost, server.port);
  log(`gRPC on ${o.grpcHost}:${server.port} (advertised as ${advertise}); waiting for the leadership lease`);
  leadership.start(advertise, (leading) => {
    // The line tests and operators wait for: this coordinator now runs the jobs.
    if (leading) log(`coordinator ready: gRPC ${o.grpcHost}:${server.port}, NATS ${nats.servers.join(',')}`);
  });
  let serving = true;
  return {
    grpcPort: server.port,
    service: leadership.gate,
    nc,
    ready: () => serving && leadership.isLeading() && !nc.isClosed(),
    leading: () => leadership.isLeading(),
    close: async (budgetMs = COORDINATOR_DEFAULTS.shutdownSeconds * 1000) => {
      serving = false;
      const deadline = Date.now() + budgetMs;
      const left = (cap: number) => Math.min(cap, Math.max(0, deadline - Date.now()));
      // Calls in flight get a few seconds; jobs stop scheduling and stay `running` in KV, for the next
      // coordinator. Without NATS their last writes cannot finish: each step waits only its share.
      await server.close(left(5000));
      // The result consumer's pull in progress is let run out (up to 10 s, see ResultRouter): a result
      // the server put into an abandoned pull would wait a whole AckWait to come back.
      // A leader's jobs stay `running` for the next leader, and it gives the lease up so a standby takes over at once.
      if (!(await settleWithin(leadership.stop(left(budgetMs - 3000)), left(budgetMs - 2000)))) {
        log(
          'shutdown: scheduling did not stop in time (is NATS reachable?); running jobs resume with the next coordinator',
        );
      }
      if (!(await closeNatsWithin(nc, left(budgetMs))))
        log('shutdown: NATS did not answer; connection closed');
      security.close();
    },
  };
}

/**
 * The address standbys name for this coordinator: `--advertise` (a host alone gets the gRPC port: a
 * pod's IP, say), else the gRPC address with a wildcard host replaced by this host's name.
 */
function advertisedAddress(hostOrAddress: string, port: number): string {
  if (/^(\[[^\]]+\]|[^:[\]]+):\d{1,5}$/.test(hostOrAddress)) return hostOrAddress;
  const host = hostOrAddress;
  const wildcard = host === '0.0.0.0' || host === '::' || host === '[::]' || host === '';
  const named = wildcard ? hostname() : host;
  return `${named.includes(':') && !named.startsWith('[') ? `[${named}]` : named}:${port}`;
}
